namespace OrleansWorkflow.Messaging;

/// <summary>How the engine and its clients reach RabbitMQ. Bound from the "RabbitMQ" configuration section.</summary>
public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMQ";

    /// <summary>The broker, as an AMQP URI. The default is a broker on this machine with RabbitMQ's loopback-only guest user.</summary>
    public string Uri { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>Deliveries a queue consumer may hold unacknowledged.</summary>
    public ushort Prefetch { get; set; } = 64;

    /// <summary>Deliveries of one queue handled at the same time (different incidents run in parallel).</summary>
    public ushort ConsumerConcurrency { get; set; } = 16;

    /// <summary>
    /// "classic" (the default) or "quorum": replicated queues for a RabbitMQ cluster. Silos and clients must agree, since a
    /// queue is declared once with its type. The type of an existing queue never changes; new queues get this one.
    /// </summary>
    public string QueueType { get; set; } = "classic";

    /// <summary>
    /// Quorum queues only: deliveries of one message before the broker itself moves it to &lt;queue&gt;.dead-letter (a
    /// backstop for a message that crashes its silo each time; handler failures are dead-lettered by the engine first).
    /// </summary>
    public int DeliveryLimit { get; set; } = 20;

    /// <summary>
    /// amqps:// only: a PEM file of the certificate authority that issued the broker's certificate, trusted in addition
    /// to the system's roots (for a broker with a certificate of the site's own CA).
    /// </summary>
    public string? TlsCaFile { get; set; }

    /// <summary>The URI with its password replaced, for logs.</summary>
    public string RedactedUri => Redact(Uri);

    public void Validate()
    {
        if (!System.Uri.TryCreate(Uri, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
            throw new ArgumentException($"RabbitMQ:Uri \"{RedactedUri}\" is not an AMQP URI; set it like amqp://user:password@host:5672/vhost.");
        if (!string.IsNullOrEmpty(TlsCaFile))
        {
            if (uri.Scheme != "amqps")
                throw new ArgumentException($"RabbitMQ:TlsCaFile is set but RabbitMQ:Uri \"{RedactedUri}\" is not amqps://; use amqps://host:5671/ for TLS, or unset TlsCaFile.");
            if (!File.Exists(TlsCaFile))
                throw new ArgumentException($"RabbitMQ:TlsCaFile \"{TlsCaFile}\" does not exist; set it to the PEM file of the CA that issued the broker's certificate.");
        }
        if (Prefetch == 0)
            throw new ArgumentException("RabbitMQ:Prefetch is 0; set it to at least 1 (64 is a good start).");
        if (ConsumerConcurrency == 0)
            throw new ArgumentException("RabbitMQ:ConsumerConcurrency is 0; set it to at least 1.");
        if (QueueType is not ("classic" or "quorum"))
            throw new ArgumentException($"RabbitMQ:QueueType is \"{QueueType}\"; set classic or quorum.");
        if (DeliveryLimit < 1)
            throw new ArgumentException($"RabbitMQ:DeliveryLimit is {DeliveryLimit}; set at least 1 (20 is a safe backstop).");
    }

    public static string Redact(string uri)
    {
        if (!System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.UserInfo))
            return uri;
        var user = parsed.UserInfo.Split(':')[0];
        return new UriBuilder(parsed) { UserName = user, Password = parsed.UserInfo.Contains(':') ? "***" : "" }.Uri.ToString();
    }
}
