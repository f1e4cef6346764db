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
using RabbitMQ.Client.Exceptions;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Consumes one workflow node's queue for one urgency (the node's own queue for Routine, &lt;queue&gt;.urgent,
/// &lt;queue&gt;.emergency): each delivery, once the <see cref="UrgencyGate"/> lets it in, becomes one call to the
/// handler grain of its incident, acknowledged
/// only after the handler's state is written and its effects are carried out. A delivery that cannot be handled
/// goes to the dead-letter queue with the reason, and is then acknowledged: nothing is dropped.
/// </summary>
internal sealed class QueueConsumer(
    string queue,
    IncidentUrgency urgency,
    UrgencyGate gate,
    IConnection connection,
    HandlerRegistry handlers,
    IGrainFactory grains,
    QueuePublisher publisher,
    RabbitMqOptions broker,
    WorkflowOptions limits,
    OutageBackoff outage,
    VersionRouting versions,
    TimeProvider clock,
    ILogger logger)
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _reopening = new(1, 1);
    private IChannel? _channel;
    private string? _consumerTag;
    private int _inFlight;
    /// <summary>The queue this consumer takes messages from (<c>queue</c> is its node, whose handler gets them).</summary>
    private readonly string _consumed = WireContract.QueueFor(queue, urgency);
    private readonly MessageIdentity _identity = new(WireContract.QueueFor(queue, urgency), publisher, broker, logger);
    private readonly RedeliveryLimit _redeliveries = new(WireContract.QueueFor(queue, urgency), grains, broker.DeliveryLimit, logger);
    private readonly DeadLettering _deadLetters = new(queue, WireContract.QueueFor(queue, urgency), grains, publisher, broker, clock, logger);
    private readonly MessageDelivery _delivery = new(queue, limits);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await QueueTopology.DeclareIfMissingAsync(connection, _consumed, broker, cancellationToken);
        if (urgency == IncidentUrgency.Routine)
            await QueueTopology.DeclareIfMissingAsync(connection, WireContract.DeadLetterQueue(queue), broker, cancellationToken);
        await ConsumeAsync(cancellationToken);
        logger.LogInformation("Consuming queue {Queue} for handler {Handler}", _consumed, handlers.HandlerOf(queue).Name);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _reopening.WaitAsync(cancellationToken);
        if (_channel is not { } channel)
            return;
        if (_consumerTag is not null && channel.IsOpen)
            await channel.BasicCancelAsync(_consumerTag, cancellationToken: cancellationToken);
        while (Volatile.Read(ref _inFlight) > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(20, CancellationToken.None);
        await channel.CloseAsync(cancellationToken);
    }

    /// <summary>Opens a channel of its own and consumes the queue on it.</summary>
    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(false, false, consumerDispatchConcurrency: broker.ConsumerConcurrency), cancellationToken);
        try
        {
            await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: broker.Prefetch, global: false, cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => OnDeliveryAsync(channel, delivery);
            _consumerTag = await channel.BasicConsumeAsync(_consumed, autoAck: false, consumer, cancellationToken);
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
        channel.ChannelShutdownAsync += (_, reason) => OnChannelClosedAsync(channel, reason);
        _channel = channel;
    }

    /// <summary>
    /// The broker closed this consumer's channel alone (a delivery held past its consumer_timeout, for one): the
    /// connection's automatic recovery does not bring such a channel back, so the consumer opens a new one. A channel
    /// that went with its connection is left to the recovery.
    /// </summary>
    private Task OnChannelClosedAsync(IChannel channel, ShutdownEventArgs reason)
    {
        if (_stopping.IsCancellationRequested || reason.Initiator == ShutdownInitiator.Application || connection.CloseReason is not null)
            return Task.CompletedTask;
        logger.LogWarning("The broker closed the channel of queue {Queue} ({ReplyCode} {ReplyText}); its unacknowledged messages go back to the queue. Consuming again on a new channel",
            _consumed, reason.ReplyCode, reason.ReplyText);
        _ = Task.Run(() => ReopenAsync(channel));
        return Task.CompletedTask;
    }

    private async Task ReopenAsync(IChannel closed)
    {
        try
        {
            await _reopening.WaitAsync(_stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            for (var attempt = 1; !_stopping.IsCancellationRequested; attempt++)
            {
                await Task.Delay(limits.BackoffBefore(attempt), _stopping.Token);
                if (_channel != closed || closed.IsOpen)
                    return;
                if (!connection.IsOpen)
                    continue; // the connection went too: wait for its recovery
                try
                {
                    await ConsumeAsync(_stopping.Token);
                    logger.LogInformation("Consuming queue {Queue} again on a new channel", _consumed);
                    await closed.DisposeAsync();
                    return;
                }
                catch (Exception e) when (!_stopping.IsCancellationRequested)
                {
                    logger.LogWarning("Could not consume queue {Queue} again yet: {Error}", _consumed, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // the silo is stopping
        }
        finally
        {
            _reopening.Release();
        }
    }

    private async Task OnDeliveryAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            // Once reached, a verdict stands: an outage while dead-lettering or acknowledging retries only what is left.
            Verdict? verdict = null;
            for (var repeated = 0; ; )
            {
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    if (verdict is null)
                    {
                        using var admitted = await gate.EnterAsync(urgency, _stopping.Token);
                        verdict = await HandleAsync(delivery);
                    }
                    if (verdict.DeadLetterReason is not null)
                        await _deadLetters.SendAsync(delivery.Body, delivery.BasicProperties.MessageId, delivery.BasicProperties.Headers, verdict.DeadLetterReason, verdict.IncidentId, verdict.MarksIncidentError);
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                    if (verdict.Outcome == Identified)
                        await _identity.SettleAsync(channel, verdict.MessageId!);
                    outage.Succeeded();
                    Record(verdict, delivery, Stopwatch.GetElapsedTime(started));
                    if (verdict.MessageId is { } settled && verdict.Outcome != Identified)
                        await _redeliveries.ForgetAsync(delivery, settled);
                    return;
                }
                catch (Exception e) when (!_stopping.IsCancellationRequested && channel.IsOpen)
                {
                    if (DeliveryFailure.IsOutage(e))
                    {
                        // The database or broker is unreachable: keep the delivery and try it again after a pause that
                        // grows while the fault lasts. Giving it back would spin it around, and each return counts
                        // against a quorum queue's delivery limit, so a long outage would dead-letter healthy messages.
                        await Task.Delay(outage.Failed(queue, e), _stopping.Token);
                        continue;
                    }

                    // Not an outage: it will fail again. Retried like a handler's failure, then dead-lettered.
                    repeated++;
                    logger.LogWarning(e, "Delivery on {Queue} failed ({Attempt} of {Attempts})", queue, repeated, limits.RetryLimit + 1);
                    if (repeated > limits.RetryLimit)
                        verdict = RepeatedFailure(delivery, repeated, e);
                    else
                        await Task.Delay(limits.BackoffBefore(repeated), _stopping.Token);
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

    /// <summary>The outcome of a message that had no MessageID and was queued again with one.</summary>
    private const string Identified = "identified";

    private async Task<Verdict> HandleAsync(BasicDeliverEventArgs delivery)
    {
        if (_delivery.Refusal(delivery.Body.Span, out var parsed) is { } refused)
            return refused;
        if ((parsed!.MessageId ?? delivery.BasicProperties.MessageId) is not { } messageId)
            return await IdentifyAsync(delivery, parsed.IncidentId);
        await _identity.WaitForOriginalAsync(messageId, _stopping.Token);
        if (await _redeliveries.ExceededAsync(delivery, messageId) is { } poison)
            return new Verdict(Verdict.DeadLettered, poison, parsed.IncidentId, messageId, MarksIncidentError: true);
        using var receiving = WorkflowTracing.StartFrom(delivery.BasicProperties.Headers, "receive", queue, messageId, parsed.IncidentId);
        var message = new InboundMessage(queue, messageId, parsed.Originator, Encoding.UTF8.GetString(delivery.Body.Span), receiving?.Id).WithParsed(parsed.Body);
        var handler = handlers.Resolve(grains, parsed.IncidentId, queue);
        var moves = 0;
        return await _delivery.SettleAsync(parsed.IncidentId, messageId, () => versions.DeliverAsync(handler, message, parsed.IncidentId), async elsewhere =>
        {
            if (await versions.MovedAsync(parsed.IncidentId, elsewhere.Workflow!.Value, ++moves, HeldMessages.WasReleased(delivery.BasicProperties.Headers), _stopping.Token))
                return null;
            await versions.HoldAsync(_consumed, queue, delivery, message, parsed.IncidentId, elsewhere.Workflow!.Value, _stopping.Token);
            return new Verdict(Verdict.HeldBack, IncidentId: parsed.IncidentId, MessageId: messageId);
        }, receiving, _stopping.Token);
    }

    private async Task<Verdict> IdentifyAsync(BasicDeliverEventArgs delivery, Guid incidentId) =>
        new(Identified, IncidentId: incidentId, MessageId: await _identity.IdentifyAsync(delivery, incidentId));

    /// <summary>The verdict on a delivery that failed at every attempt for a reason other than an outage.</summary>
    private static Verdict RepeatedFailure(BasicDeliverEventArgs delivery, int attempts, Exception error)
    {
        var reason = $"delivery failed {attempts} times; last error: {error.GetType().Name}: {error.Message}";
        var incident = WireMessage.TryParse(delivery.Body.Span, out var parsed, out _) ? parsed!.IncidentId : (Guid?)null;
        return new Verdict(Verdict.DeadLettered, reason, incident, delivery.BasicProperties.MessageId, attempts - 1, MarksIncidentError: true);
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
}
