using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging.Telemetry;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// The engine's side of one handler activation (a grain extension, <see cref="IHandlerDelivery"/>, installed on the
/// activation at its first delivery): the handler is admitted by its incident once, and each message goes through
/// small steps: check it (a redelivery, a finished incident, a forged job end, a workflow version this silo does not
/// run), run the handler's <see cref="HandlerGrain.HandleAsync"/>, record it (the documents, the message id, the
/// effects and the step, in ONE row of the handler's journal, <see cref="HandlerJournal"/>, refused in the same
/// transaction when the incident has finished), then send its effects. The handler is the one writer of its steps;
/// the incident is told of them without being waited for. A crash after the record is repaired when the
/// unacknowledged message comes back. The journal is read only when the incident says this handler ran before: most
/// handlers of most incidents are new. Were that answer ever wrong, the append would meet the stored entry in its
/// place, and the message is handled again on the stored journal. Calls to it take the activation's turns, like
/// calls to the grain itself.
/// </summary>
internal sealed class HandlerDelivery : IHandlerDelivery, IHandlerActivation
{
    private readonly HandlerGrain _handler;
    private readonly HandlerServices _engine;
    private readonly ILogger _logger;
    private readonly PersistedDocuments _documents = new();
    private readonly HandlerMemory _memory;
    /// <summary>What the incident answered when it admitted this activation; null until then, and again once it finished.</summary>
    private HandlerTicket? _ticket;
    private readonly Guid _incidentId;
    private readonly string _queue;

    public HandlerDelivery(IGrainContext activation, HandlerServices engine)
    {
        _handler = activation.GrainInstance as HandlerGrain
            ?? throw new InvalidOperationException($"{activation.GrainId} is not a handler grain: a handler class derives from {nameof(HandlerGrain)}.");
        _engine = engine;
        _logger = engine.Loggers.CreateLogger(_handler.GetType());
        _incidentId = activation.GrainId.GetGuidKey(out var queue);
        _queue = queue ?? throw new InvalidOperationException("A handler grain is keyed by IncidentID plus its queue name.");
        _memory = new HandlerMemory(_incidentId, _queue, activation.GrainId, engine.Storage, engine.Journal, engine.Dispatcher);
        activation.SetComponent<IHandlerActivation>(this);
    }

    private IGrainFactory GrainFactory => _engine.Grains;

    private IIncidentBookkeeping Incident => GrainFactory.GetGrain<IIncidentBookkeeping>(_incidentId);

    Task<DeliveryResult> IHandlerDelivery.Deliver(InboundMessage message) => DeliverAsync(message, retried: false);

    private async Task<DeliveryResult> DeliverAsync(InboundMessage message, bool retried)
    {
        // The handler's work, and the messages it sends, are children of the delivery in the incident's trace.
        using var handling = WorkflowTracing.StartMessaging("process", _queue, message.MessageId, _incidentId, message.TraceParent);
        handling?.SetTag("owf.handler", _handler.GetType().Name);
        var ticket = await AdmittedAsync();
        // Effects left by an attempt that failed after its record (or by a crash) are carried out first.
        await _memory.DispatchPendingAsync();
        if (await CheckAsync(message, ticket) is { } answer)
            return answer;

        var body = message.TakeBody();
        // The check reads the very object the handler gets.
        if (await SimulationEndCheck.RefusalAsync(body, _incidentId, GrainFactory) is { } forged)
            return DeliveryResult.Rejected(forged);
        // A ticket of an incident grain of a release before versions names no kind: any silo runs it.
        if (ticket.Workflow.Kind is not null && !_engine.Versions.Runs(ticket.Workflow.Kind, ticket.Workflow.Version))
        {
            _logger.LogInformation("Handler {Queue} of incident {IncidentId} leaves this silo: the incident is of {Workflow}, this silo runs {Kind} {Versions}",
                _queue, _incidentId, ticket.Workflow, ticket.Workflow.Kind, _engine.Versions.RangeOf(ticket.Workflow.Kind));
            WorkflowVersionPlacement.MoveTo(_handler, ticket.Workflow, _engine.Cluster);
            return DeliveryResult.Elsewhere(ticket.Workflow);
        }

        var startedAt = _engine.Clock.GetUtcNow();
        var run = await RunAsync(message, body, ticket, startedAt, handling);
        if (run.Failure is { } failure)
            return failure;
        return await RecordAndSendAsync(message, run.Context!, startedAt, retried);
    }

    /// <summary>The incident's answer for this activation, asked once; the journal is read when the handler ran before.</summary>
    private async Task<HandlerTicket> AdmittedAsync()
    {
        if (_ticket is { } known)
            return known;
        var ticket = await Incident.Admit(_queue);
        if (!_memory.Loaded)
        {
            if (ticket.RanBefore)
                await _memory.ReadAsync();
            else
                _memory.StartEmpty();
        }
        // An incident not created yet is asked again at the next message.
        if (ticket.Status.Exists())
            _ticket = ticket;
        return ticket;
    }

    /// <summary>What is answered without running the handler: a redelivery, or a message of an incident that takes none.</summary>
    private async Task<DeliveryResult?> CheckAsync(InboundMessage message, HandlerTicket ticket)
    {
        if (_memory.Stored.HandledMessageIds.Contains(message.MessageId))
            return DeliveryResult.Duplicate;
        if (!ticket.Status.Exists())
            return DeliveryResult.Rejected($"incident {_incidentId} was never created");
        if (ticket.Status.IsFinished())
            return await FinishedAsync(message, $"incident {_incidentId} is already {ticket.Status}");
        return null;
    }

    /// <summary>
    /// A message of a finished incident: a copy of one handled before it finished (redelivered after a crash) is a
    /// duplicate, as this handler's kept message ids say; anything else is refused.
    /// </summary>
    private async Task<DeliveryResult> FinishedAsync(InboundMessage message, string reason)
    {
        _ticket = null;
        if (_memory.ReadSkipped)
            await _memory.ReadAsync();
        return _memory.Stored.HandledMessageIds.Contains(message.MessageId) ? DeliveryResult.Duplicate : DeliveryResult.Rejected(reason);
    }

    /// <summary>Runs the handler on the message within Workflow:HandlerTimeout; a failure is recorded as the step's attempt.</summary>
    private async Task<(HandlerContext? Context, DeliveryResult? Failure)> RunAsync(InboundMessage message, JsonObject body, HandlerTicket ticket,
        DateTimeOffset startedAt, Activity? handling)
    {
        using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(_engine.Shutdown);
        timeLimit.CancelAfter(_engine.Limits.HandlerTimeout);
        try
        {
            var context = new HandlerContext(_incidentId, _queue, message.MessageId, _memory.Stored.Documents, _documents, _engine.Machines, _logger, timeLimit.Token,
                _engine.Limits.MaxBodyBytes, startedAt, new RunJoins(_memory.Joins, _queue, message.Originator, body, startedAt), ticket.Urgency, ticket.Workflow, GrainFactory);
            _engine.Faults.HandlerStarting(_queue, message.MessageId, _incidentId);
            // A join's timeout that came after the join fired has nothing to do: it is taken as handled, unseen.
            if (JoinTimeout.IsStale(body, message.Originator, _queue, _memory.Joins))
                _logger.LogDebug("Handler {Queue} of incident {IncidentId}: the timeout of join {Join} came after it fired", _queue, _incidentId, body[JoinTimeout.Key]);
            else
                // A handler that ignores its token is not waited for past the limit either.
                await RunTellingAsync(_handler.HandleAsync(body, context).WaitAsync(timeLimit.Token), message, startedAt, timeLimit.Token);
            return (context, null);
        }
        catch (OperationCanceledException) when (_engine.Shutdown.IsCancellationRequested)
        {
            // Not the handler's failure: its silo is stopping. Nothing was stored; the message is delivered again (held
            // by its consumer like any outage) and handled where the grain lives next.
            _logger.LogInformation("Handler {Queue} stopped on message {MessageId} of incident {IncidentId}: this silo is shutting down", _queue, message.MessageId, _incidentId);
            throw;
        }
        catch (MachineUnreachableException e) when (e is not HostKeyMismatchException)
        {
            // An outage, not the handler's failure: the machine is asked again when the message is. A host key that
            // does not match is no outage (waiting does not change it) and fails like any error, below.
            _logger.LogInformation("Handler {Queue} waits for machine {Machine} on message {MessageId} of incident {IncidentId}: {Error}", _queue, e.Machine, message.MessageId, _incidentId, e.Message);
            await RecordAttemptAsync(message, startedAt, $"machine {e.Machine} unreachable; the message is held until it answers");
            return (null, DeliveryResult.Held($"machine {e.Machine} unreachable: {e.Message}"));
        }
        catch (OperationCanceledException) when (timeLimit.IsCancellationRequested)
        {
            // Whatever the abandoned run still does goes nowhere (its context is dropped); a fresh activation takes the retry.
            var error = $"handler ran longer than Workflow:HandlerTimeout ({_engine.Limits.HandlerTimeout}); long work belongs in a simulation";
            _logger.LogWarning("Handler {Queue} stopped on message {MessageId} of incident {IncidentId}: {Error}", _queue, message.MessageId, _incidentId, error);
            handling?.SetStatus(ActivityStatusCode.Error, error);
            _handler.DeactivateOnIdle();
            await RecordAttemptAsync(message, startedAt, error);
            return (null, DeliveryResult.Failed($"{nameof(TimeoutException)}: {error}"));
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Handler {Queue} failed on message {MessageId} of incident {IncidentId}", _queue, message.MessageId, _incidentId);
            handling?.SetStatus(ActivityStatusCode.Error, e.Message);
            await RecordAttemptAsync(message, startedAt, e.Message);
            return (null, DeliveryResult.Failed($"{e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>How long a handler runs before its incident is told it is running (its live views show it so).</summary>
    private static readonly TimeSpan RunningNoticeAfter = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Waits for the handler's run, telling the incident it is running once it has run for <see cref="RunningNoticeAfter"/>:
    /// a run shorter than that ends before anyone could watch it, and costs the incident no notice.
    /// </summary>
    private async Task RunTellingAsync(Task run, InboundMessage message, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        if (!run.IsCompleted && await Task.WhenAny(run, Task.Delay(RunningNoticeAfter, cancellationToken)) != run)
            _ = Incident.StepStarted(_queue, message.MessageId, message.Originator, startedAt);
        await run;
    }

    /// <summary>Records the step with the handler's journal entry, then tells the incident and carries out the effects.</summary>
    private async Task<DeliveryResult> RecordAndSendAsync(InboundMessage message, HandlerContext context, DateTimeOffset startedAt, bool retried)
    {
        var entry = new JournalEntry(_memory.Seq + 1, message.MessageId, [.. context.NewDocuments], context.Effects, context.Joins.Events);
        var step = new HandledStep(message.Originator, startedAt, _engine.Clock.GetUtcNow(), Destinations(context.Effects));
        try
        {
            await _engine.Journal.AppendAsync(_incidentId, _queue, entry, step, refuseEarlierRow: _memory.ReadSkipped);
            _engine.Faults.HandlerStateWritten(_queue, message.MessageId, _incidentId);
        }
        catch (JournalConflictException e) when (!retried)
        {
            // Someone else wrote first: another activation of this handler (or the incident's answer that this handler
            // never ran was wrong, so this one did not read its journal). Nothing of this run was kept.
            _logger.LogInformation("Handler {Queue} of incident {IncidentId} met stored state at write time ({Conflict}); handling message {MessageId} again on it", _queue, _incidentId, e.Message, message.MessageId);
            _ = Incident.StepLeft(_queue, message.MessageId);
            await _memory.ReadAsync();
            return await DeliverAsync(message, retried: true);
        }
        catch (IncidentFinishedException e)
        {
            // The incident's end was stored while the handler ran: nothing of this run was kept.
            _logger.LogInformation("Handler {Queue} of incident {IncidentId} ran message {MessageId}, but {Finished}; nothing of it was kept", _queue, _incidentId, message.MessageId, e.Message);
            _ = Incident.StepLeft(_queue, message.MessageId);
            return await FinishedAsync(message, e.Message);
        }
        catch
        {
            // Whether this message's changes were stored is unknown (a write can commit and still report an error):
            // the next delivery starts from storage (which carries its outbox out again), and nothing in memory is written.
            _memory.Forget();
            _ticket = null;
            throw;
        }
        _memory.Remember(entry, context.Joins.Changed, context.Effects);

        // The step is recorded before its effects go out, so the next handler, or the incident's completion, can
        // never be seen before the step that caused it.
        var stored = Stopwatch.GetTimestamp();
        var incident = Incident;
        _ = incident.StepEnded(new IncidentStep
        {
            Queue = _queue, MessageId = message.MessageId, Originator = message.Originator, StartedAt = step.StartedAt,
            EndedAt = step.EndedAt, Outcome = StepOutcome.Completed, SentTo = [.. step.SentTo],
        });
        foreach (var join in context.Joins.Changed)
            _ = incident.JoinChanged(join.Info(_queue));
        await _memory.DispatchPendingAsync();
        WorkflowMetrics.OutboxLag.Record(Stopwatch.GetElapsedTime(stored).TotalSeconds, WorkflowMetrics.Queue(_queue));
        return DeliveryResult.Handled;
    }

    /// <summary>Records an attempt at the message that did not complete (nothing of it was kept), and tells the incident.</summary>
    private async Task RecordAttemptAsync(InboundMessage message, DateTimeOffset startedAt, string error)
    {
        var attempt = new StepAttempt(_incidentId, _queue, message.MessageId, message.Originator, startedAt, _engine.Clock.GetUtcNow(), error);
        await _engine.Attempts.RecordAsync(attempt);
        _ = Incident.StepEnded(attempt.ToStep());
    }

    async Task<IReadOnlyList<string>> IHandlerDelivery.GetPersisted()
    {
        if (!_memory.Loaded)
            await _memory.ReadAsync();
        return [.. _memory.Stored.Documents];
    }

    async Task IHandlerDelivery.ClearIncidentData()
    {
        await _memory.ClearAtFinishAsync();
        _ticket = null;
        _handler.DeactivateOnIdle();
    }

    async Task IHandlerDelivery.PurgeIncidentData()
    {
        await _memory.PurgeAsync();
        _handler.DeactivateOnIdle();
    }

    /// <summary>Clears effects that were carried out but are still stored.</summary>
    Task IHandlerActivation.DeactivatingAsync(CancellationToken cancellationToken) => _memory.ClearCarriedOutAsync(cancellationToken);

    private static List<string> Destinations(IEnumerable<OutboxEntry> effects) => [.. effects.Select(e => e.Destination).OfType<string>()];
}
