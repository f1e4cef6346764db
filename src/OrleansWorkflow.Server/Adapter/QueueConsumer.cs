using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Messaging.Telemetry;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Wire;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Consumes one workflow queue: each delivery becomes one call to the handler grain of its incident, acknowledged
/// only after the handler's state is written and its effects are carried out. A delivery that cannot be handled
/// goes to the dead-letter queue with the reason, and is then acknowledged: nothing is dropped.
/// </summary>
internal sealed class QueueConsumer(
    string queue,
    IChannel channel,
    HandlerRegistry handlers,
    IGrainFactory grains,
    QueuePublisher publisher,
    RabbitMqOptions broker,
    DeliveryOptions limits,
    OutageBackoff outage,
    ILogger logger)
{
    private readonly CancellationTokenSource _stopping = new();
    private string? _consumerTag;
    private int _inFlight;

    public async Task StartAsync(ushort prefetch, CancellationToken cancellationToken)
    {
        await QueueTopology.DeclareAsync(channel, queue, broker, cancellationToken);
        await QueueTopology.DeclareAsync(channel, WireContract.DeadLetterQueue(queue), broker, cancellationToken);
        await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: prefetch, global: false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += OnDeliveryAsync;
        _consumerTag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
        logger.LogInformation("Consuming queue {Queue} for handler {Handler}", queue, handlers.HandlerOf(queue).Name);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_consumerTag is not null && channel.IsOpen)
            await channel.BasicCancelAsync(_consumerTag, cancellationToken: cancellationToken);
        _stopping.Cancel();
        while (Volatile.Read(ref _inFlight) > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(20, CancellationToken.None);
        await channel.CloseAsync(cancellationToken);
    }

    private async Task OnDeliveryAsync(object sender, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            while (true)
            {
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    var verdict = await HandleAsync(delivery);
                    if (verdict.DeadLetterReason is { } reason)
                        await DeadLetterAsync(delivery, reason, verdict.IncidentId);
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                    outage.Succeeded();
                    Record(verdict, delivery, Stopwatch.GetElapsedTime(started));
                    return;
                }
                catch (Exception e) when (!_stopping.IsCancellationRequested && channel.IsOpen)
                {
                    // The database or broker is unreachable: keep the delivery and try it again after a pause that grows
                    // while the fault lasts. Giving it back would spin it around, and each return counts against a
                    // quorum queue's delivery limit, so a long outage would dead-letter healthy messages.
                    await Task.Delay(outage.Failed(queue, e), _stopping.Token);
                }
            }
        }
        catch (Exception)
        {
            // The silo is stopping, or the channel is gone (the broker then redelivers the message by itself).
            if (channel.IsOpen)
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>How a delivery ended: its outcome, and the reason to dead-letter it (with its incident when known).</summary>
    private sealed record Verdict(string Outcome, string? DeadLetterReason = null, Guid? IncidentId = null, string? MessageId = null, int Retries = 0);

    private async Task<Verdict> HandleAsync(BasicDeliverEventArgs delivery)
    {
        var body = delivery.Body;
        if (body.Length > limits.MaxBodyBytes)
            return new Verdict("dead-lettered", $"body is {body.Length} bytes, over the limit of {limits.MaxBodyBytes} bytes (Workflow:MaxBodyBytes)");
        if (!WireMessage.TryParse(body.Span, out var parsed, out var reason))
            return new Verdict("dead-lettered", reason);

        var messageId = parsed!.MessageId ?? delivery.BasicProperties.MessageId ?? MessageIds.New();
        using var receiving = WorkflowTracing.StartFrom(delivery.BasicProperties.Headers, "receive", queue, messageId, parsed.IncidentId);
        var message = new InboundMessage(queue, messageId, parsed.Originator, Encoding.UTF8.GetString(body.Span), receiving?.Id);
        var handler = handlers.Resolve(grains, parsed.IncidentId, queue);

        for (var attempt = 0; ; attempt++)
        {
            var result = await handler.Deliver(message);
            switch (result.Outcome)
            {
                case DeliveryOutcome.Handled:
                    return new Verdict("handled", IncidentId: parsed.IncidentId, MessageId: messageId, Retries: attempt);
                case DeliveryOutcome.Duplicate:
                    return new Verdict("duplicate", IncidentId: parsed.IncidentId, MessageId: messageId, Retries: attempt);
                case DeliveryOutcome.Rejected:
                    return new Verdict("dead-lettered", result.Detail, parsed.IncidentId, messageId, attempt);
            }

            if (attempt >= limits.RetryLimit)
            {
                var failure = $"handler failed {attempt + 1} times; last error: {result.Detail}";
                receiving?.SetStatus(ActivityStatusCode.Error, failure);
                await grains.GetGrain<IIncidentBookkeeping>(parsed.IncidentId).MarkError($"{queue}: {failure}");
                return new Verdict("dead-lettered", failure, parsed.IncidentId, messageId, attempt);
            }

            WorkflowMetrics.Retries.Add(1, WorkflowMetrics.Queue(queue));
            await Task.Delay(limits.BackoffBefore(attempt + 1), _stopping.Token);
        }
    }

    /// <summary>One log line and the metrics of a finished delivery.</summary>
    private void Record(Verdict verdict, BasicDeliverEventArgs delivery, TimeSpan duration)
    {
        WorkflowMetrics.MessagesHandled.Add(1, WorkflowMetrics.Queue(queue, verdict.Outcome));
        WorkflowMetrics.HandlerDuration.Record(duration.TotalSeconds, WorkflowMetrics.Queue(queue));
        if (verdict.DeadLetterReason is null && logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("Message {MessageId} of incident {IncidentId} on {Queue} by {Handler}: {Outcome} in {DurationMs:0.0} ms{Retries}",
                verdict.MessageId, verdict.IncidentId, queue, handlers.HandlerOf(queue).Name, verdict.Outcome, duration.TotalMilliseconds,
                verdict.Retries > 0 ? $" after {verdict.Retries} retries" : "");
    }

    private async Task DeadLetterAsync(BasicDeliverEventArgs delivery, string reason, Guid? incidentId)
    {
        WorkflowMetrics.DeadLetters.Add(1, WorkflowMetrics.Queue(queue));
        logger.LogWarning("Dead-lettered a message from {Queue} to {DeadLetterQueue}: {Reason}", queue, WireContract.DeadLetterQueue(queue), reason);
        await publisher.PublishAsync(DeadLetters.For(queue, delivery.Body, delivery.BasicProperties.MessageId, reason, delivery.BasicProperties.Headers));
        if (incidentId is { } incident)
            await grains.GetGrain<IIncidentBookkeeping>(incident).RecordDeadLetter(new DeadLetterRecord(queue, delivery.BasicProperties.MessageId, reason, DateTimeOffset.UtcNow));
    }
}
