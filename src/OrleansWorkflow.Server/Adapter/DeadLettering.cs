using Microsoft.Extensions.Logging;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Wire;
using RabbitMQ.Client.Exceptions;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Sends a delivery that cannot be handled to its queue's dead-letter queue with the reason, and records it with its
/// incident (marking the incident Error first when the handler failed past its retries). When the dead-letter queue is
/// full, the reason and the incident's record are what is kept.
/// </summary>
internal sealed class DeadLettering(string queue, string consumed, IGrainFactory grains, IMessagePublisher publisher, RabbitMqOptions broker, TimeProvider clock, ILogger logger)
{
    /// <summary>Dead-letters the message of <paramref name="body"/> (as taken from <c>consumed</c>, with its id and headers) for <paramref name="reason"/>.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> body, string? messageId, IDictionary<string, object?>? headers, string reason, Guid? incidentId, bool marksIncidentError)
    {
        if (marksIncidentError && incidentId is { } failed)
            await grains.GetGrain<IIncidentBookkeeping>(failed).MarkError($"{queue}: {reason}");
        WorkflowMetrics.DeadLetters.Add(1, WorkflowMetrics.Queue(queue));
        var kept = await PublishAsync(body, messageId, headers, reason);
        if (incidentId is { } incident)
            await grains.GetGrain<IIncidentBookkeeping>(incident).RecordDeadLetter(new DeadLetterRecord(queue, messageId, kept, clock.GetUtcNow()));
    }

    /// <summary>Publishes the dead letter; returns the reason to record (saying so when its body could not be kept).</summary>
    private async Task<string> PublishAsync(ReadOnlyMemory<byte> body, string? messageId, IDictionary<string, object?>? headers, string reason)
    {
        var deadLetterQueue = WireContract.DeadLetterQueue(queue);
        try
        {
            await publisher.PublishAsync(DeadLetters.For(consumed, body, messageId, reason, headers));
            logger.LogWarning("Dead-lettered a message from {Queue} to {DeadLetterQueue}: {Reason}", queue, deadLetterQueue, reason);
            return reason;
        }
        catch (PublishException e) when (!e.IsReturn)
        {
            logger.LogError("Dead-letter queue {DeadLetterQueue} is full (RabbitMQ:DeadLetterLimit {Limit}): message {MessageId} of {Queue}, {Bytes} bytes, dropped; reason: {Reason}. Replay or discard its dead letters to make room",
                deadLetterQueue, broker.DeadLetterLimit, messageId, queue, body.Length, reason);
            return $"{reason} (its body was not kept: {deadLetterQueue} is full, RabbitMQ:DeadLetterLimit)";
        }
    }
}
