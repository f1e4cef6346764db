using Microsoft.Extensions.Logging;
using RabbitMQ.Client.Events;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Dead-letters a message that keeps coming back without an outcome, after RabbitMQ:DeliveryLimit redeliveries, on
/// every queue type: the process handling it died each time (a native crash, an out-of-memory kill, a handler calling
/// Environment.FailFast), and it must not take down every silo in turn, forever. Quorum queues count deliveries
/// themselves (x-delivery-count) and move the overflow to the dead-letter queue; classic queues count nothing, so
/// the engine keeps the count, durably. It costs a storage write only when a message comes back, never on its first delivery.
/// </summary>
internal sealed class RedeliveryLimit(string queue, IGrainFactory grains, int limit, ILogger logger)
{
    private const string BrokerCountHeader = "x-delivery-count";

    /// <summary>The counter's key: unique per queue and MessageID, whatever characters they hold.</summary>
    public static string KeyOf(string queue, string messageId) => $"{queue.Length}:{queue}/{messageId}";

    /// <summary>Counts a redelivery; returns the reason to dead-letter it when the limit is passed, otherwise null.</summary>
    public async Task<string?> ExceededAsync(BasicDeliverEventArgs delivery, string messageId)
    {
        if (!CountedHere(delivery))
            return null;
        var redeliveries = await Counter(messageId).Count($"{delivery.ConsumerTag}/{delivery.DeliveryTag}");
        return redeliveries <= limit
            ? null
            : $"delivered {redeliveries + 1} times without an outcome (the silo handling it stopped, or lost its channel, each time); RabbitMQ:DeliveryLimit is {limit}";
    }

    /// <summary>Drops the count of a settled message (a message delivered once has none); a count left behind costs a row, not a message.</summary>
    public async Task ForgetAsync(BasicDeliverEventArgs delivery, string messageId)
    {
        if (!CountedHere(delivery))
            return;
        try
        {
            await Counter(messageId).Forget();
        }
        catch (Exception e)
        {
            logger.LogWarning("Could not drop the redelivery count of message {MessageId} on {Queue}: {Error}", messageId, queue, e.Message);
        }
    }

    private static bool CountedHere(BasicDeliverEventArgs delivery) =>
        delivery.Redelivered && delivery.BasicProperties.Headers?.ContainsKey(BrokerCountHeader) != true;

    private IRedeliveryGrain Counter(string messageId) => grains.GetGrain<IRedeliveryGrain>(KeyOf(queue, messageId));
}
