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

    /// <summary>Declares <paramref name="queue"/> as every workflow queue is declared; returns the broker's answer (with its message count).</summary>
    public static Task<QueueDeclareOk> DeclareAsync(IChannel channel, string queue, CancellationToken cancellationToken = default) =>
        channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);

    /// <summary>Declares <paramref name="queue"/> once per channel lifetime.</summary>
    public Task EnsureDeclaredAsync(IChannel channel, string queue, CancellationToken cancellationToken) =>
        _declared.GetOrAdd(queue, q => DeclareOnceAsync(channel, q, cancellationToken));

    /// <summary>Forgets what was declared (after a channel was replaced, declare again to be sure).</summary>
    public void Reset() => _declared.Clear();

    private async Task DeclareOnceAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        try
        {
            await DeclareAsync(channel, queue, cancellationToken);
        }
        catch
        {
            _declared.TryRemove(queue, out _);
            throw;
        }
    }
}
