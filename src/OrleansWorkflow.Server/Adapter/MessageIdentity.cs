using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Wire;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Gives a message with no MessageID (plain AMQP producers send none) one before anything handles it: a copy with the
/// id goes back to its queue, confirmed, and the original is acknowledged. Every redelivery of the copy carries the
/// same id, so a crash after the handler's write cannot run the handler a second time.
/// </summary>
internal sealed class MessageIdentity(string queue, QueuePublisher publisher, RabbitMqOptions broker, ILogger logger)
{
    private static readonly TimeSpan LongestWaitForOriginal = TimeSpan.FromSeconds(30);

    /// <summary>Copies queued again whose original is not yet known to be acknowledged.</summary>
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _unsettled = new(StringComparer.Ordinal);

    /// <summary>Queues the copy (confirmed) and returns its MessageID; acknowledge the original, then call <see cref="SettleAsync"/>.</summary>
    public async Task<string> IdentifyAsync(BasicDeliverEventArgs delivery, Guid incidentId)
    {
        var messageId = MessageIds.New();
        var headers = delivery.BasicProperties.Headers?.Where(h => h.Key != AmqpHeaders.DeliveryCount).ToDictionary(h => h.Key, h => h.Value);
        _unsettled[messageId] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await publisher.PublishAsync(new OutgoingMessage(queue, delivery.Body, messageId, headers));
        }
        catch
        {
            Settled(messageId);
            throw;
        }
        logger.LogDebug("Message without MessageID on {Queue} for incident {IncidentId} is queued again as {MessageId}", queue, incidentId, messageId);
        return messageId;
    }

    /// <summary>
    /// The broker may hand out the copy before it confirms it, so before the original's ack. A copy handled then, and a
    /// crash right after, would bring the original back to be identified anew: handled twice. So this silo handles the
    /// copy only once the broker has processed the original's ack: a round trip on the same channel comes after it.
    /// </summary>
    public async Task SettleAsync(IChannel channel, string messageId)
    {
        try
        {
            await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: broker.Prefetch, global: false);
        }
        finally
        {
            Settled(messageId);
        }
    }

    /// <summary>Before a delivery of <paramref name="messageId"/> is handled: waits while it is a copy whose original is unsettled.</summary>
    public async Task WaitForOriginalAsync(string messageId, CancellationToken cancellationToken)
    {
        if (!_unsettled.TryGetValue(messageId, out var original))
            return;
        try
        {
            await original.Task.WaitAsync(LongestWaitForOriginal, cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("The original of message {MessageId} on {Queue} was not acknowledged within {Wait}; handling the copy anyway", messageId, queue, LongestWaitForOriginal);
        }
    }

    private void Settled(string messageId)
    {
        if (_unsettled.TryRemove(messageId, out var settled))
            settled.SetResult();
    }
}
