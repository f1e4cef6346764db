namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>A RabbitMQ node the tests reach: the shared broker of ./test.sh, or a <see cref="PrivateRabbitMq"/> node.</summary>
public sealed record RabbitMqNode(string? NodeName, int Port)
{
    public static RabbitMqNode Shared { get; } = new(null, 5672);

    public string Uri(string virtualHost) => $"amqp://guest:guest@127.0.0.1:{Port}/{System.Uri.EscapeDataString(virtualHost)}";

    /// <summary>rabbitmqctl on this node, quiet.</summary>
    public Task<string> CtlAsync(params string[] arguments) =>
        TestServices.RunAsync("rabbitmqctl", [.. NodeName is null ? [] : new[] { "-n", NodeName }, "-q", .. arguments]);
}
