using System.Text;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Adapter;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Wire;
using RabbitMQ.Client.Exceptions;

namespace OrleansWorkflow.Testing.Engine;

/// <summary>
/// The queues of a test host, in memory: what the engine and the test publish is kept in order and delivered to the
/// queue's handler through the engine's own delivery rules (<see cref="MessageDelivery"/>: checks, retries,
/// dead-letter verdicts; <see cref="DeadLettering"/>), one message after another, the most urgent first. A message
/// for a queue without a handler stays where the test can read it; dead letters go to their dead-letter queue.
/// </summary>
internal sealed class MemoryQueues(HandlerRegistry handlers, IGrainFactory grains, WorkflowOptions limits, TimeProvider clock, ILoggerFactory loggers) : IMessagePublisher
{
    private readonly Lock _lock = new();
    private readonly List<OutgoingMessage> _published = [];
    private readonly List<OutgoingMessage> _waiting = [];
    private readonly List<OutgoingMessage> _held = [];
    private readonly ILogger _logger = loggers.CreateLogger<MemoryQueues>();

    /// <summary>Every message published so far, in order, dead letters included.</summary>
    public IReadOnlyList<OutgoingMessage> Published
    {
        get
        {
            lock (_lock)
                return [.. _published];
        }
    }

    public Task PublishAsync(OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _published.Add(message);
            if (!WireContract.IsDeadLetterQueue(message.Queue) && handlers.IsRegistered(WireContract.NodeOf(message.Queue)))
                _waiting.Add(message);
        }
        return Task.CompletedTask;
    }

    public Task PublishAllAsync(IEnumerable<OutgoingMessage> messages, CancellationToken cancellationToken = default)
    {
        foreach (var message in messages)
            PublishAsync(message, cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>Puts the last message published with <paramref name="messageId"/> in its queue once more.</summary>
    public void Redeliver(string messageId)
    {
        lock (_lock)
            _waiting.Add(_published.LastOrDefault(m => m.MessageId == messageId && !WireContract.IsDeadLetterQueue(m.Queue))
                ?? throw new InvalidOperationException($"No message {messageId} was published to this test host's queues."));
    }

    /// <summary>Messages held because a machine their handler needed did not answer go back to their queues.</summary>
    public void ReleaseHeld()
    {
        lock (_lock)
        {
            _waiting.InsertRange(0, _held);
            _held.Clear();
        }
    }

    /// <summary>Delivers waiting messages, and the messages they cause, until none waits; returns how many were delivered.</summary>
    public async Task<int> RunUntilQuietAsync(int maxDeliveries, CancellationToken cancellationToken)
    {
        var delivered = 0;
        while (Next() is { } message)
        {
            if (++delivered > maxDeliveries)
                throw new InvalidOperationException(
                    $"The workflow did not go quiet within {maxDeliveries} deliveries (the last to {message.Queue}): its handlers keep sending each other messages. Raise the limit if that is meant.");
            await DeliverAsync(message, cancellationToken);
        }
        return delivered;
    }

    /// <summary>Delivers the waiting message <paramref name="messageId"/> alone; returns its verdict.</summary>
    public Task<Verdict> DeliverOneAsync(string messageId, CancellationToken cancellationToken)
    {
        OutgoingMessage message;
        lock (_lock)
        {
            var index = _waiting.FindIndex(m => m.MessageId == messageId);
            if (index < 0)
                throw new InvalidOperationException($"No message {messageId} waits in this test host's queues.");
            message = _waiting[index];
            _waiting.RemoveAt(index);
        }
        return DeliverAsync(message, cancellationToken);
    }

    /// <summary>The next message to deliver: the oldest of the most urgent queues.</summary>
    private OutgoingMessage? Next()
    {
        lock (_lock)
        {
            foreach (var urgency in new[] { IncidentUrgency.Emergency, IncidentUrgency.Urgent, IncidentUrgency.Routine })
            {
                var index = _waiting.FindIndex(m => m.Queue == WireContract.QueueFor(WireContract.NodeOf(m.Queue), urgency));
                if (index >= 0)
                {
                    var message = _waiting[index];
                    _waiting.RemoveAt(index);
                    return message;
                }
            }
            return null;
        }
    }

    private async Task<Verdict> DeliverAsync(OutgoingMessage queued, CancellationToken cancellationToken)
    {
        var node = WireContract.NodeOf(queued.Queue);
        var delivery = new MessageDelivery(node, limits);
        var verdict = delivery.Refusal(queued.Body.Span, out var parsed);
        if (verdict is null)
        {
            var messageId = parsed!.MessageId ?? queued.MessageId ?? MessageIds.New();
            var message = new InboundMessage(node, messageId, parsed.Originator, Encoding.UTF8.GetString(queued.Body.Span)).WithParsed(parsed.Body);
            var handler = handlers.Resolve(grains, parsed.IncidentId, node);
            try
            {
                verdict = await delivery.SettleAsync(parsed.IncidentId, messageId, () => handler.Deliver(message),
                    elsewhere => Task.FromResult<Verdict?>(new Verdict(Verdict.DeadLettered, $"{elsewhere.Detail}: this test host's handlers do not declare that version (AddWorkflowVersions)", parsed.IncidentId, messageId)),
                    receiving: null, cancellationToken);
            }
            catch (ServiceUnavailableException e)
            {
                _logger.LogInformation("Message {MessageId} on {Queue} is held: {Reason}", messageId, node, e.Message);
                lock (_lock)
                    _held.Add(queued);
                return new Verdict(Verdict.HeldBack, IncidentId: parsed.IncidentId, MessageId: messageId);
            }
        }
        if (verdict.DeadLetterReason is { } reason)
            await new DeadLettering(node, queued.Queue, grains, this, new RabbitMqOptions(), clock, _logger)
                .SendAsync(queued.Body, verdict.MessageId ?? queued.MessageId, queued.Headers?.ToDictionary(h => h.Key, h => h.Value), reason, verdict.IncidentId, verdict.MarksIncidentError);
        return verdict;
    }
}
