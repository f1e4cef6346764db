using System.Text;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
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
                    var (reason, incidentId) = await HandleAsync(delivery);
                    if (reason is not null)
                        await DeadLetterAsync(delivery, reason, incidentId);
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                    outage.Succeeded();
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
        catch (Exception) when (_stopping.IsCancellationRequested || !channel.IsOpen)
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

    /// <summary>Handles a delivery; returns a null reason when done, or the reason to dead-letter it (with its incident when known).</summary>
    private async Task<(string? Reason, Guid? IncidentId)> HandleAsync(BasicDeliverEventArgs delivery)
    {
        var body = delivery.Body;
        if (body.Length > limits.MaxBodyBytes)
            return ($"body is {body.Length} bytes, over the limit of {limits.MaxBodyBytes} bytes (Workflow:MaxBodyBytes)", null);
        if (!WireMessage.TryParse(body.Span, out var parsed, out var reason))
            return (reason, null);

        var message = new InboundMessage(queue, parsed!.MessageId ?? delivery.BasicProperties.MessageId ?? MessageIds.New(),
            parsed.Originator, Encoding.UTF8.GetString(body.Span));
        var handler = handlers.Resolve(grains, parsed.IncidentId, queue);

        for (var attempt = 0; ; attempt++)
        {
            var result = await handler.Deliver(message);
            switch (result.Outcome)
            {
                case DeliveryOutcome.Handled or DeliveryOutcome.Duplicate:
                    return (null, null);
                case DeliveryOutcome.Rejected:
                    return (result.Detail, parsed.IncidentId);
            }

            if (attempt >= limits.RetryLimit)
            {
                var failure = $"handler failed {attempt + 1} times; last error: {result.Detail}";
                await grains.GetGrain<IIncidentGrain>(parsed.IncidentId).MarkError($"{queue}: {failure}");
                return (failure, parsed.IncidentId);
            }

            await Task.Delay(limits.BackoffBefore(attempt + 1), _stopping.Token);
        }
    }

    private async Task DeadLetterAsync(BasicDeliverEventArgs delivery, string reason, Guid? incidentId)
    {
        logger.LogWarning("Dead-lettered a message from {Queue} to {DeadLetterQueue}: {Reason}", queue, WireContract.DeadLetterQueue(queue), reason);
        await publisher.PublishAsync(DeadLetters.For(queue, delivery.Body, delivery.BasicProperties.MessageId, reason, delivery.BasicProperties.Headers));
        if (incidentId is { } incident)
            await grains.GetGrain<IIncidentGrain>(incident).RecordDeadLetter(new DeadLetterRecord(queue, delivery.BasicProperties.MessageId, reason, DateTimeOffset.UtcNow));
    }
}
