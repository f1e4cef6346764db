namespace OrleansWorkflow.Wire;

/// <summary>The names every language on the wire agrees on (see docs/ARCHITECTURE.md, "Wire contract").</summary>
public static class WireContract
{
    /// <summary>The key every message carries: the UUID of its incident.</summary>
    public const string IncidentIdKey = "IncidentID";
    /// <summary>The key of the id the engine stamps on every message it sends.</summary>
    public const string MessageIdKey = "MessageID";
    /// <summary>The key naming the sender (a handler's queue, "client", ...), as the original system stamped it.</summary>
    public const string OriginatorKey = "originator";
    /// <summary>The AMQP content type of every message.</summary>
    public const string ContentType = "application/json";

    /// <summary>Header on a dead letter: why it was dead-lettered.</summary>
    public const string ReasonHeader = "x-reason";
    /// <summary>Header on a dead letter: the queue it was taken from.</summary>
    public const string OriginalQueueHeader = "x-original-queue";

    private const string DeadLetterSuffix = ".dead-letter";
    private const string UrgentSuffix = ".urgent";
    private const string EmergencySuffix = ".emergency";

    /// <summary>
    /// The queue a message of an incident of <paramref name="urgency"/> goes to on the node <paramref name="queue"/>:
    /// the node's own queue for Routine, &lt;queue&gt;.urgent and &lt;queue&gt;.emergency for the others.
    /// </summary>
    public static string QueueFor(string queue, Incidents.IncidentUrgency urgency) => urgency switch
    {
        Incidents.IncidentUrgency.Urgent => queue + UrgentSuffix,
        Incidents.IncidentUrgency.Emergency => queue + EmergencySuffix,
        _ => queue,
    };

    /// <summary>The node (handler queue) a queue belongs to: itself, without an urgency suffix.</summary>
    public static string NodeOf(string queue) =>
        queue.EndsWith(UrgentSuffix, StringComparison.Ordinal) ? queue[..^UrgentSuffix.Length]
        : queue.EndsWith(EmergencySuffix, StringComparison.Ordinal) ? queue[..^EmergencySuffix.Length]
        : queue;

    /// <summary>The dead-letter queue of <paramref name="queue"/>: &lt;queue&gt;.dead-letter, one for the node's queues of every urgency.</summary>
    public static string DeadLetterQueue(string queue) => NodeOf(queue) + DeadLetterSuffix;

    /// <summary>Whether <paramref name="queue"/> is a dead-letter queue.</summary>
    public static bool IsDeadLetterQueue(string queue) => queue.EndsWith(DeadLetterSuffix, StringComparison.Ordinal);

    /// <summary>Throws when <paramref name="queue"/> cannot name a workflow queue.</summary>
    public static void ValidateQueueName(string queue)
    {
        if (string.IsNullOrWhiteSpace(queue))
            throw new ArgumentException("A queue name must not be empty; name the workflow node, e.g. \"fire_simulation\".", nameof(queue));
        if (System.Text.Encoding.UTF8.GetByteCount(queue) is var bytes && bytes > 200)
            throw new ArgumentException($"Queue name \"{queue[..Math.Min(40, queue.Length)]}...\" is {bytes} bytes long in UTF-8; RabbitMQ allows 255 bytes and the engine keeps 200 for the name.", nameof(queue));
        if (queue.StartsWith("amq.", StringComparison.Ordinal))
            throw new ArgumentException($"Queue name \"{queue}\" starts with \"amq.\", which RabbitMQ reserves for itself; choose another name.", nameof(queue));
        if (IsDeadLetterQueue(queue))
            throw new ArgumentException($"Queue name \"{queue}\" ends in \"{DeadLetterSuffix}\", which is reserved for dead letters; choose another name.", nameof(queue));
        if (NodeOf(queue) != queue)
            throw new ArgumentException($"Queue name \"{queue}\" ends in \"{UrgentSuffix}\" or \"{EmergencySuffix}\", which are reserved for the queues of urgent incidents; name the node itself (\"{NodeOf(queue)}\") and give the incident its urgency.", nameof(queue));
    }
}
