using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging.Telemetry;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// Base of every handler grain: one activation per handler and incident. For each message it skips a redelivery,
/// runs <see cref="HandleAsync"/>, appends the documents, the message id, the effects and the incident's record of
/// the step to the handler's journal in ONE transaction (<see cref="HandlerJournal"/>), then carries the effects out.
/// A crash after the write is repaired when the unacknowledged message comes back. Its journal is read from storage
/// only when the incident says this handler ran before: most handlers of most incidents are new, and the read would
/// find nothing. Were that answer ever wrong (a crash lost the step record), the append would meet the stored entry
/// in its place, and the message is handled again on the stored journal.
/// </summary>
[WorkflowVersionPlacement]
public abstract class HandlerGrain : Grain, IHandlerDelivery
{
    private readonly IGrainStorage _storage;
    private readonly HandlerJournal _journal;
    private readonly TimeProvider _clock;
    /// <summary>The state row an earlier version wrote (whole, per message); read, never appended to.</summary>
    private readonly GrainState<HandlerState> _state = new(new HandlerState());
    /// <summary>All the handler knows: the earlier version's state row, then its journal.</summary>
    private HandlerState Stored { get; set; } = new();
    /// <summary>The number of the journal's last entry (0: none).</summary>
    private int _seq;
    private bool _loaded;

    private readonly PersistedDocuments _documents = new();
    /// <summary>The handler's joins for the incident, from its journal.</summary>
    private Dictionary<string, JoinRecord> _joins = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly OutboxDispatcher _dispatcher;
    private readonly HpcMachines _machines;
    private readonly CancellationToken _shutdown;
    private readonly IFaultPoints _faults;
    private readonly DeliveryOptions _limits;
    private readonly WorkflowVersions _versions;
    private Guid _incidentId;
    private string _queue = "";
    private bool _outboxDispatched;

    /// <summary>Resolves the engine's services; handler classes need no constructor of their own.</summary>
    protected HandlerGrain()
    {
        _storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(WorkflowStorage.Name);
        _journal = ServiceProvider.GetRequiredService<HandlerJournal>();
        _clock = ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
        _logger = ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(GetType());
        _dispatcher = ServiceProvider.GetRequiredService<OutboxDispatcher>();
        _machines = ServiceProvider.GetRequiredService<HpcMachines>();
        _shutdown = ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        _faults = ServiceProvider.GetService<IFaultPoints>() ?? new NoFaultPoints();
        _limits = ServiceProvider.GetRequiredService<WorkflowSettings>().Workflow;
        _versions = ServiceProvider.GetRequiredService<WorkflowVersions>();
    }

    /// <summary>The handler's work for one message.</summary>
    protected abstract Task HandleAsync(JsonObject message, IHandlerContext context);

    /// <summary>Reads the grain's identity (IncidentID and queue); call the base when you override it.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _incidentId = this.GetPrimaryKey(out var queue);
        _queue = queue ?? throw new InvalidOperationException("A handler grain is keyed by IncidentID plus its queue name.");
        return Task.CompletedTask;
    }

    Task<DeliveryResult> IHandlerDelivery.Deliver(InboundMessage message) => DeliverAsync(message, attempt: 0);

    private async Task<DeliveryResult> DeliverAsync(InboundMessage message, int attempt)
    {
        // The handler's work, and the messages it sends, are children of the delivery in the incident's trace.
        using var handling = WorkflowTracing.StartMessaging("process", _queue, message.MessageId, _incidentId, message.TraceParent);
        handling?.SetTag("owf.handler", GetType().Name);
        var incident = GrainFactory.GetGrain<IIncidentBookkeeping>(_incidentId);
        var readSkipped = false;
        if (!_loaded)
        {
            if (await incident.HasSteps(_queue))
            {
                await ReadStateAsync();
            }
            else
            {
                _state.State = new HandlerState();
                _state.ETag = null;
                _state.RecordExists = false;
                Stored = new HandlerState();
                _joins.Clear();
                _seq = 0;
                readSkipped = _loaded = true;
            }
        }

        // Effects left by an attempt that failed after its write (or by a crash) are carried out first, and that
        // message's step is ended: its handling is complete only now.
        if (await DispatchPendingOutboxAsync() && Stored.OutboxMessageId is { } previous)
            await incident.EndStep(_queue, previous, null, StepOutcome.Completed, Destinations(Stored.Outbox), null);
        if (Stored.HandledMessageIds.Contains(message.MessageId))
        {
            await incident.ConfirmHandled(_queue, message.MessageId, message.Originator);
            return DeliveryResult.Duplicate;
        }

        // The check reads the very object the handler gets.
        var body = message.TakeBody();
        if (await SimulationEndCheck.RefusalAsync(body, _incidentId, GrainFactory) is { } forged)
            return DeliveryResult.Rejected(forged);

        var ticket = await incident.BeginStep(_queue, message.MessageId, message.Originator);
        var status = ticket.Status;
        if (!status.Exists())
            return DeliveryResult.Rejected($"incident {_incidentId} was never created");
        if (status.IsFinished())
        {
            // A copy of a message handled before the incident finished, redelivered after a crash: nothing to do. The
            // incident's step record says so, or, when a crash lost that record, this handler's kept message ids do.
            // Anything else for a finished incident is refused.
            if (await incident.Handled(_queue, message.MessageId))
                return DeliveryResult.Duplicate;
            if (readSkipped)
                await ReadStateAsync();
            return Stored.HandledMessageIds.Contains(message.MessageId)
                ? DeliveryResult.Duplicate
                : DeliveryResult.Rejected($"incident {_incidentId} is already {status}");
        }
        // A ticket of an incident grain of a release before versions names no kind: any silo runs it.
        if (ticket.Workflow.Kind is not null && !_versions.Runs(ticket.Workflow.Kind, ticket.Workflow.Version))
        {
            // Another silo's handlers run it (or none yet: the message is held). The step begun stays open for that run.
            _logger.LogInformation("Handler {Queue} of incident {IncidentId} leaves this silo: the incident is of {Workflow}, this silo runs {Kind} {Versions}",
                _queue, _incidentId, ticket.Workflow, ticket.Workflow.Kind, _versions.RangeOf(ticket.Workflow.Kind));
            LeaveFor(ticket.Workflow);
            return DeliveryResult.Elsewhere(ticket.Workflow);
        }

        using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(_shutdown);
        timeLimit.CancelAfter(_limits.HandlerTimeout);
        HandlerContext? context = null;
        try
        {
            var now = _clock.GetUtcNow();
            context = new HandlerContext(_incidentId, _queue, message.MessageId, Stored.Documents, _documents, _machines, _logger, timeLimit.Token,
                _limits.MaxBodyBytes, now, new RunJoins(_joins, _queue, message.Originator, body, now), ticket.Urgency, ticket.Workflow, GrainFactory);
            _faults.HandlerStarting(_queue, message.MessageId, _incidentId);
            // A join's timeout that came after the join fired has nothing to do: it is taken as handled, unseen.
            if (JoinTimeout.IsStale(body, message.Originator, _queue, _joins))
                _logger.LogDebug("Handler {Queue} of incident {IncidentId}: the timeout of join {Join} came after it fired", _queue, _incidentId, body[JoinTimeout.Key]);
            else
                // A handler that ignores its token is not waited for past the limit either.
                await HandleAsync(body, context).WaitAsync(timeLimit.Token);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
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
            await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Failed, [], $"machine {e.Machine} unreachable; the message is held until it answers");
            return DeliveryResult.Held($"machine {e.Machine} unreachable: {e.Message}");
        }
        catch (OperationCanceledException) when (timeLimit.IsCancellationRequested)
        {
            // Whatever the abandoned run still does goes nowhere (its context is dropped); a fresh activation takes the retry.
            var error = $"handler ran longer than Workflow:HandlerTimeout ({_limits.HandlerTimeout}); long work belongs in a simulation";
            _logger.LogWarning("Handler {Queue} stopped on message {MessageId} of incident {IncidentId}: {Error}", _queue, message.MessageId, _incidentId, error);
            handling?.SetStatus(ActivityStatusCode.Error, error);
            DeactivateOnIdle();
            await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Failed, [], error);
            return DeliveryResult.Failed($"{nameof(TimeoutException)}: {error}");
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Handler {Queue} failed on message {MessageId} of incident {IncidentId}", _queue, message.MessageId, _incidentId);
            handling?.SetStatus(ActivityStatusCode.Error, e.Message);
            await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Failed, [], e.Message);
            return DeliveryResult.Failed($"{e.GetType().Name}: {e.Message}");
        }

        var entry = new JournalEntry(_seq + 1, message.MessageId, [.. context!.NewDocuments], context.Effects, context.Joins.Events);
        var sentTo = Destinations(context.Effects);
        var endedAt = _clock.GetUtcNow();
        // The incident's record of the step goes in the same transaction, unless the incident keeps it itself.
        var step = ticket.Carried
            ? new NumberedStep(ticket.Number, new IncidentStep
            {
                Queue = _queue, MessageId = message.MessageId, Originator = message.Originator, StartedAt = ticket.StartedAt,
                EndedAt = endedAt, Outcome = StepOutcome.Completed, SentTo = sentTo,
            })
            : null;
        try
        {
            await _journal.AppendAsync(_incidentId, _queue, entry, step, refuseEarlierRow: readSkipped);
            _faults.HandlerStateWritten(_queue, message.MessageId, _incidentId);
        }
        catch (JournalConflictException e) when (attempt == 0)
        {
            // Someone else wrote first: another activation of this handler (or a crash lost the incident's record of
            // a step, so this one did not read its journal), or of the incident. Nothing of this run was kept.
            _logger.LogInformation("Handler {Queue} of incident {IncidentId} met stored state at write time ({Conflict}); handling message {MessageId} again on it", _queue, _incidentId, e.Message, message.MessageId);
            await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Failed, [], "stored state was found at write time; handled again on it");
            await ReadStateAsync();
            return await DeliverAsync(message, attempt + 1);
        }
        catch
        {
            // Whether this message's changes were stored is unknown (a write can commit and still report an error):
            // the next delivery starts from storage (which carries its outbox out again), and nothing in memory is written.
            _loaded = false;
            throw;
        }
        Stored.Documents.AddRange(entry.Documents);
        foreach (var join in context.Joins.Changed)
            _joins[join.Name] = join;
        Stored.HandledMessageIds.Add(message.MessageId);
        Stored.Outbox = context.Effects;
        Stored.OutboxMessageId = message.MessageId;
        _seq = entry.Seq;
        _outboxDispatched = false;

        // The step is recorded before its effects go out, so the next handler, or the incident's completion, can
        // never be seen before the step that caused it.
        var stored = Stopwatch.GetTimestamp();
        if (step is not null)
            await incident.StepStored(_queue, message.MessageId, step.Number, endedAt, sentTo);
        else
            await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Completed, sentTo, null);
        foreach (var join in context.Joins.Changed)
            _ = incident.JoinChanged(join.Info(_queue));
        await DispatchPendingOutboxAsync();
        WorkflowMetrics.OutboxLag.Record(Stopwatch.GetElapsedTime(stored).TotalSeconds, WorkflowMetrics.Queue(_queue));
        return DeliveryResult.Handled;
    }

    /// <summary>
    /// Moves this activation to a silo that runs <paramref name="workflow"/> (Orleans migration: the grain directory
    /// points there, so every caller's next message follows), or, when no live silo does, goes out of memory.
    /// </summary>
    private void LeaveFor(IncidentWorkflow workflow)
    {
        var cluster = ServiceProvider.GetRequiredService<ClusterWorkflowVersions>();
        if (cluster.RunningSilos(workflow).FirstOrDefault() is not { } target)
        {
            DeactivateOnIdle();
            return;
        }
        RequestContext.Set(WorkflowVersionPlacement.ContextKey, workflow.ToContextValue());
        RequestContext.Set(Orleans.Runtime.Placement.IPlacementDirector.PlacementHintKey, target);
        MigrateOnIdle();
    }

    async Task<IReadOnlyList<string>> IHandlerDelivery.GetPersisted()
    {
        if (!_loaded)
            await ReadStateAsync();
        return [.. Stored.Documents];
    }

    async Task IHandlerDelivery.ClearIncidentData()
    {
        if (!_loaded)
            await ReadStateAsync();
        // The documents go; the handled message ids stay, so a late copy of one is still known as a duplicate.
        if (_seq > 0 && (Stored.Documents.Count > 0 || Stored.Outbox.Count > 0))
            await _journal.ClearDocumentsAsync(_incidentId, _queue);
        await ClearEarlierStateRowAsync(documents: true);
        Stored.Documents.Clear();
        _joins.Clear();
        Stored.Outbox = [];
        _outboxDispatched = true;
        DeactivateOnIdle();
    }

    async Task IHandlerDelivery.PurgeIncidentData()
    {
        if (!_loaded)
            await ReadStateAsync();
        // A late copy of a handled message is still known by the incident's record of its steps.
        await _journal.DeleteAsync(_incidentId, _queue);
        if (_state.RecordExists)
            await _storage.ClearStateAsync(WorkflowStorage.HandlerState, GrainContext.GrainId, _state);
        _state.State = new HandlerState();
        Stored = new HandlerState();
        _joins.Clear();
        _loaded = false;
        _outboxDispatched = true;
        DeactivateOnIdle();
    }

    /// <summary>Clears an outbox that was carried out but is still stored; call the base when you override it.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The outbox was carried out but is still in storage: clear it so a later activation does not repeat it.
        if (_loaded && _outboxDispatched && Stored.Outbox.Count > 0)
        {
            if (_seq > 0)
                await _journal.ClearOutboxAsync(_incidentId, _queue, _seq, cancellationToken);
            else
                await ClearEarlierStateRowAsync(documents: false);
            Stored.Outbox = [];
        }
    }

    /// <summary>Clears the outbox (and with <paramref name="documents"/> the documents) of the state row an earlier version wrote, if it holds any.</summary>
    private async Task ClearEarlierStateRowAsync(bool documents)
    {
        var earlier = _state.State!;
        if (!_state.RecordExists || (earlier.Outbox.Count == 0 && (!documents || earlier.Documents.Count == 0)))
            return;
        earlier.Outbox = [];
        if (documents)
            earlier.Documents.Clear();
        await _storage.WriteStateAsync(WorkflowStorage.HandlerState, GrainContext.GrainId, _state);
    }

    /// <summary>Reads the state row an earlier version wrote (if any), then the journal appended since.</summary>
    private async Task ReadStateAsync()
    {
        await _storage.ReadStateAsync(WorkflowStorage.HandlerState, GrainContext.GrainId, _state);
        var earlier = _state.State ??= new HandlerState();
        var entries = await _journal.ReadAsync(_incidentId, _queue);
        Stored = new HandlerState
        {
            Documents = [.. earlier.Documents, .. entries.SelectMany(e => e.Documents)],
            HandledMessageIds = [.. earlier.HandledMessageIds, .. entries.Select(e => e.MessageId)],
            // Only the newest effects can be waiting: each message's went out before the next was handled.
            Outbox = entries.Count > 0 ? entries[^1].Outbox ?? [] : [.. earlier.Outbox],
            OutboxMessageId = entries.Count > 0 ? entries[^1].MessageId : earlier.OutboxMessageId,
        };
        _seq = entries.Count > 0 ? entries[^1].Seq : 0;
        _joins = new Dictionary<string, JoinRecord>(StringComparer.Ordinal);
        JoinRecord.ApplyAll(_joins, entries.SelectMany(e => e.Joins));
        _loaded = true;
        // A stored outbox is carried out again unless this activation carried out exactly that state: sending twice is
        // harmless (its messages keep their ids), skipping is not.
        _outboxDispatched = false;
    }

    /// <summary>Carries out the stored effects unless done already; true when it did so now.</summary>
    private async Task<bool> DispatchPendingOutboxAsync()
    {
        if (_outboxDispatched || Stored.Outbox.Count == 0)
            return false;
        await _dispatcher.DispatchAsync(_incidentId, Stored.Outbox, CancellationToken.None);
        _outboxDispatched = true;
        return true;
    }

    private static List<string> Destinations(IEnumerable<OutboxEntry> effects) => [.. effects.Select(e => e.Destination).OfType<string>()];
}
