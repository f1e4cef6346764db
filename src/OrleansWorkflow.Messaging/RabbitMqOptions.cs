using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Messaging;

/// <summary>The kind of queue the engine declares.</summary>
public enum QueueType
{
    /// <summary>RabbitMQ's classic durable queues.</summary>
    Classic = 0,

    /// <summary>Replicated queues for a RabbitMQ cluster, with a delivery limit.</summary>
    Quorum = 1,
}

/// <summary>How the engine and its clients reach RabbitMQ. Bound from the "RabbitMQ" configuration section.</summary>
public sealed class RabbitMqOptions : IValidatedOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "RabbitMQ";

    /// <summary>The configuration key of <paramref name="property"/>: the one place its name is written is the property itself.</summary>
    private static string Key(string property) => $"{Section}:{property}";

    /// <summary>The broker, as an AMQP URI. The default is a broker on this machine with RabbitMQ's loopback-only guest user.</summary>
    public string Uri { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>
    /// The other nodes of a RabbitMQ cluster, as host or host:port (the port of <see cref="Uri"/> when left out), with
    /// the user, password, virtual host and TLS of <see cref="Uri"/>. Connections go to the first node that answers, the
    /// URI's host first, and after a node is lost, recover to the first that answers then. Empty: the URI's host only
    /// (also the way to go for one name behind a load balancer).
    /// </summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>Deliveries a queue consumer may hold unacknowledged.</summary>
    public ushort Prefetch { get; set; } = 64;

    /// <summary>Deliveries of one queue handled at the same time (different incidents run in parallel).</summary>
    public ushort ConsumerConcurrency { get; set; } = 16;

    /// <summary>
    /// Classic (the default) or Quorum: replicated queues for a RabbitMQ cluster. The type of an existing queue never
    /// changes (it is used as it is); new queues get this one. Classic is the default because RabbitMQ refuses a plain
    /// durable declare (what pika and amqp-tools producers send) on an existing quorum queue.
    /// </summary>
    public QueueType QueueType { get; set; } = QueueType.Classic;

    /// <summary>
    /// Redeliveries of one message without an outcome before it goes to &lt;queue&gt;.dead-letter: a backstop for a
    /// message that crashes its silo each time (handler failures are dead-lettered after Workflow:RetryLimit first).
    /// Quorum queues count and move it in the broker; on classic queues the engine counts redeliveries itself.
    /// </summary>
    public int DeliveryLimit { get; set; } = 20;

    /// <summary>
    /// Messages a dead-letter queue keeps (new dead-letter queues are declared with it as their x-max-length). A dead
    /// letter past it is refused by the broker: the engine logs it with its reason and MessageID, the incident's
    /// record keeps the reason, and the message is acknowledged. Replay or discard dead letters to make room.
    /// </summary>
    public int DeadLetterLimit { get; set; } = 100_000;

    /// <summary>
    /// amqps:// only: a PEM file of the certificate authority that issued the broker's certificate, trusted in addition
    /// to the system's roots (for a broker with a certificate of the site's own CA).
    /// </summary>
    public string? TlsCaFile { get; set; }

    /// <summary>The URI with its password replaced, for logs.</summary>
    public string RedactedUri => Redact(Uri);

    /// <summary>Throws, naming every bad setting, unless these options are usable.</summary>
    public void Validate() => SettingsException.ThrowIfInvalid(this);

    /// <inheritdoc />
    public IEnumerable<string> Problems()
    {
        if (!System.Uri.TryCreate(Uri, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            yield return $"{Key(nameof(Uri))} \"{RedactedUri}\" is not an AMQP URI; set it like amqp://user:password@host:5672/vhost.";
        }
        else if (!string.IsNullOrEmpty(TlsCaFile))
        {
            if (uri.Scheme != "amqps")
                yield return $"{Key(nameof(TlsCaFile))} is set but {Key(nameof(Uri))} \"{RedactedUri}\" is not amqps://; use amqps://host:5671/ for TLS, or unset TlsCaFile.";
            else if (!File.Exists(TlsCaFile))
                yield return $"{Key(nameof(TlsCaFile))} \"{TlsCaFile}\" does not exist; set it to the PEM file of the CA that issued the broker's certificate.";
        }
        foreach (var host in Hosts)
            if (!TryParseNode(host, 5672, out _))
                yield return $"{Key(nameof(Hosts))} has \"{host}\", which is no host or host:port; give each node like rabbit-2.example.org or 10.0.0.12:5672.";
        if (Prefetch == 0)
            yield return $"{Key(nameof(Prefetch))} is 0; set it to at least 1 (64 is a good start).";
        if (ConsumerConcurrency == 0)
            yield return $"{Key(nameof(ConsumerConcurrency))} is 0; set it to at least 1.";
        if (!Enum.IsDefined(QueueType))
            yield return $"{Key(nameof(QueueType))} is {QueueType}; set Classic or Quorum.";
        if (DeadLetterLimit < 1)
            yield return $"{Key(nameof(DeadLetterLimit))} is {DeadLetterLimit}; set at least 1 (the default keeps 100000 dead letters per queue).";
        if (DeliveryLimit < 1)
            yield return $"{Key(nameof(DeliveryLimit))} is {DeliveryLimit}; set at least 1 (20 is a safe backstop).";
    }

    /// <summary>The broker's nodes, in the order connections try them: the URI's host, then <see cref="Hosts"/>.</summary>
    public IReadOnlyList<(string Host, int Port)> Nodes()
    {
        var broker = new System.Uri(Uri);
        var port = broker.IsDefaultPort || broker.Port < 0 ? (broker.Scheme == "amqps" ? 5671 : 5672) : broker.Port;
        var nodes = new List<(string, int)> { (broker.Host, port) };
        foreach (var host in Hosts)
            if (TryParseNode(host, port, out var node))
                nodes.Add(node);
        return nodes;
    }

    private static bool TryParseNode(string text, int defaultPort, out (string Host, int Port) node)
    {
        node = default;
        if (string.IsNullOrWhiteSpace(text) || !System.Uri.TryCreate($"amqp://{text.Trim()}", UriKind.Absolute, out var parsed)
            || parsed.AbsolutePath != "/" || !string.IsNullOrEmpty(parsed.UserInfo) || string.IsNullOrEmpty(parsed.Host))
            return false;
        node = (parsed.Host, parsed.IsDefaultPort || parsed.Port < 0 ? defaultPort : parsed.Port);
        return true;
    }

    /// <summary><paramref name="uri"/> with its password replaced by *** (<see cref="Secrets"/>).</summary>
    internal static string Redact(string uri) => Secrets.RedactUri(uri);
}
