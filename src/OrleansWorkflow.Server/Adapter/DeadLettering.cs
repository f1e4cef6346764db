using Microsoft.Extensions.Logging;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Wire;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Sends a delivery that cannot be handled to its queue's dead-letter queue with the reason, and records it with its
/// incident (marking the incident Error first when the handler failed past its retries). When the dead-letter queue is
/// full, the reason and the incident's record are what is kept.
/// </summary>
internal sealed class DeadLettering(string queue, string consumed, IGrainFactory grains, QueuePublisher publisher, RabbitMqOptions broker, ILogger logger)
{
    public async Task SendAsync(BasicDeliverEventArgs delivery, string reason, Guid? incidentId, bool marksIncidentError)
    {
        if (marksIncidentError && incidentId is { } failed)
            await grains.GetGrain<IIncidentBookkeeping>(failed).MarkError($"{queue}: {reason}");
        WorkflowMetrics.DeadLetters.Add(1, WorkflowMetrics.Queue(queue));
        var kept = await PublishAsync(delivery, reason);
        if (incidentId is { } incident)
            await grains.GetGrain<IIncidentBookkeeping>(incident).RecordDeadLetter(new DeadLetterRecord(queue, delivery.BasicProperties.MessageId, kept, DateTimeOffset.UtcNow));
    }

    /// <summary>Publishes the dead letter; returns the reason to record (saying so when its body could not be kept).</summary>
    private async Task<string> PublishAsync(BasicDeliverEventArgs delivery, string reason)
    {
        var deadLetterQueue = WireContract.DeadLetterQueue(queue);
        try
        {
            await publisher.PublishAsync(DeadLetters.For(consumed, delivery.Body, delivery.BasicProperties.MessageId, reason, delivery.BasicProperties.Headers));
            logger.LogWarning("Dead-lettered a message from {Queue} to {DeadLetterQueue}: {Reason}", queue, deadLetterQueue, reason);
            return reason;
        }
        catch (PublishException e) when (!e.IsReturn)
        {
            logger.LogError("Dead-letter queue {DeadLetterQueue} is full (RabbitMQ:DeadLetterLimit {Limit}): message {MessageId} of {Queue}, {Bytes} bytes, dropped; reason: {Reason}. Replay or discard its dead letters to make room",
                deadLetterQueue, broker.DeadLetterLimit, delivery.BasicProperties.MessageId, queue, delivery.Body.Length, reason);
            return $"{reason} (its body was not kept: {deadLetterQueue} is full, RabbitMQ:DeadLetterLimit)";
        }
    }
}
