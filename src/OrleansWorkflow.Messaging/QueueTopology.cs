using System.Collections.Concurrent;
using OrleansWorkflow.Wire;
using RabbitMQ.Client;

namespace OrleansWorkflow.Messaging;

/// <summary>
/// Declares workflow queues as the wire contract says: durable, named by the user. Declaring a queue before
/// publishing to it means a message sent to a node whose handler is not running yet waits there, never vanishes.
/// Quorum queues (RabbitMQ:QueueType) carry a delivery limit whose overflow the broker routes to the queue's dead-letter queue.
/// </summary>
internal sealed class QueueTopology(RabbitMqOptions? options = null)
{
    private readonly ConcurrentDictionary<string, Task> _declared = new(StringComparer.Ordinal);

    /// <summary>Declares <paramref name="queue"/> as every workflow queue is declared; returns the broker's answer (with its message count).</summary>
    public static Task<QueueDeclareOk> DeclareAsync(IChannel channel, string queue, CancellationToken cancellationToken = default) =>
        DeclareAsync(channel, queue, options: null, cancellationToken);

    /// <summary>Declares <paramref name="queue"/> with the queue type of <paramref name="options"/> (classic when null).</summary>
    public static Task<QueueDeclareOk> DeclareAsync(IChannel channel, string queue, RabbitMqOptions? options, CancellationToken cancellationToken = default) =>
        channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: ArgumentsFor(queue, options), cancellationToken: cancellationToken);

    public static Dictionary<string, object?>? ArgumentsFor(string queue, RabbitMqOptions? options)
    {
        if (options is null)
            return null;
        var arguments = new Dictionary<string, object?>();
        if (options.QueueType == QueueType.Quorum)
            arguments["x-queue-type"] = "quorum";
        if (WireContract.IsDeadLetterQueue(queue))
        {
            // Bounded, and a dead letter past the bound is refused (nacked), never silently dropped: the engine logs it.
            arguments["x-max-length"] = options.DeadLetterLimit;
            arguments["x-overflow"] = "reject-publish";
        }
        else if (options.QueueType == QueueType.Quorum)
        {
            arguments["x-delivery-limit"] = options.DeliveryLimit;
            arguments["x-dead-letter-exchange"] = "";
            arguments["x-dead-letter-routing-key"] = WireContract.DeadLetterQueue(queue);
        }
        return arguments.Count == 0 ? null : arguments;
    }

    /// <summary>
    /// Makes sure <paramref name="queue"/> exists, once per connection lifetime: a queue that exists is used as it is
    /// (whoever declared it chose its type and limits); a missing one is declared with this topology's options.
    /// </summary>
    public Task EnsureDeclaredAsync(IConnection connection, string queue, CancellationToken cancellationToken) =>
        _declared.GetOrAdd(queue, q => DeclareOnceAsync(connection, q, cancellationToken));

    /// <summary>Forgets what was declared (after a channel was replaced, declare again to be sure).</summary>
    public void Reset() => _declared.Clear();

    private async Task DeclareOnceAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        try
        {
            await DeclareIfMissingAsync(connection, queue, options, cancellationToken);
        }
        catch
        {
            _declared.TryRemove(queue, out _);
            throw;
        }
    }

    /// <summary>
    /// Declares <paramref name="queue"/> with the type of <paramref name="options"/> unless it exists: an existing
    /// queue is used as it is, since declaring it with other arguments (a classic queue of an earlier version, when
    /// the engine now declares quorum queues) is refused by the broker.
    /// </summary>
    public static async Task DeclareIfMissingAsync(IConnection connection, string queue, RabbitMqOptions? options, CancellationToken cancellationToken)
    {
        // A failed passive declare closes its channel, so each attempt gets a channel of its own.
        await using (var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken))
        {
            try
            {
                await probe.QueueDeclarePassiveAsync(queue, cancellationToken);
                return;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                // missing: declare it below
            }
        }
        await using var declaring = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await DeclareAsync(declaring, queue, options, cancellationToken);
    }
}
