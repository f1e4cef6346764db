using System.Text;

namespace OrleansWorkflow.Messaging;

internal static class AmqpHeaders
{
    /// <summary>The header a quorum queue sets on a redelivered message: how often it was delivered before.</summary>
    public const string DeliveryCount = "x-delivery-count";

    /// <summary>A header as text (RabbitMQ hands string headers back as bytes), or null when absent.</summary>
    public static string? Text(IDictionary<string, object?>? headers, string name) =>
        headers?.TryGetValue(name, out var value) == true
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), null => null, var other => other.ToString() }
            : null;
}
