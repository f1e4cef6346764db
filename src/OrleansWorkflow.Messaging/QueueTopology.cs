using System.Collections.Concurrent;
using RabbitMQ.Client;

namespace OrleansWorkflow.Messaging;

/// <summary>
/// Declares workflow queues as the wire contract says: durable, named by the user. Declaring a queue before
/// publishing to it means a message sent to a node whose handler is not running yet waits there, never vanishes.
/// </summary>
public sealed class QueueTopology
{
    private readonly ConcurrentDictionary<string, Task> _declared = new(StringComparer.Ordinal);

    public Task EnsureDeclaredAsync(IChannel channel, string queue, CancellationToken cancellationToken) =>
        _declared.GetOrAdd(queue, q => DeclareAsync(channel, q, cancellationToken));

    /// <summary>Forgets what was declared (after a channel was replaced, declare again to be sure).</summary>
    public void Reset() => _declared.Clear();

    private async Task DeclareAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
        }
        catch
        {
            _declared.TryRemove(queue, out _);
            throw;
        }
    }
}
