namespace OrleansWorkflow.Incidents;

/// <summary>How one message's handling ended.</summary>
public enum StepOutcome
{
    /// <summary>Its handler is running (or a crash left it so; a redelivery ends it).</summary>
    Processing = 0,
    /// <summary>Handled; its effects were carried out.</summary>
    Completed = 1,
    /// <summary>Its handler threw; nothing it did was kept (it may be retried).</summary>
    Failed = 2,
    /// <summary>Moved to the queue's dead-letter queue.</summary>
    DeadLettered = 3,
}

/// <summary>One message handled for an incident: the edge from its originator to its queue, and what it sent on.</summary>
[GenerateSerializer]
public sealed class IncidentStep
{
    /// <summary>The queue the message was taken from.</summary>
    [Id(0)] public required string Queue { get; init; }
    /// <summary>The message's MessageID.</summary>
    [Id(1)] public required string MessageId { get; init; }
    /// <summary>Who sent it: a handler's queue, "client", or what another program stamped.</summary>
    [Id(2)] public string? Originator { get; init; }
    /// <summary>When its handler started.</summary>
    [Id(3)] public DateTimeOffset StartedAt { get; init; }
    /// <summary>When it ended; null while processing.</summary>
    [Id(4)] public DateTimeOffset? EndedAt { get; set; }
    /// <summary>How it ended.</summary>
    [Id(5)] public StepOutcome Outcome { get; set; }
    /// <summary>Where it sent messages (queues, and machines for simulations).</summary>
    [Id(6)] public List<string> SentTo { get; set; } = [];
    /// <summary>The handler's error, when it failed.</summary>
    [Id(7)] public string? Error { get; set; }
}
