using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Storage;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Time;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// One incident: its lifecycle (creation, status, end), its deadline, its simulations' and joins' latest reports, and
/// its live views. It writes its state row and its catalog row, nothing else: each step is recorded by the handler that
/// ran it (or the delivery that failed), and the incident's timeline is read from those rows. Handlers are admitted
/// once per activation (<see cref="Admit"/>) and tell the incident of their steps without waiting for it. Its end is
/// stored in the catalog first, where the handlers' appends check it in their own transaction, then in its state row;
/// then its handlers are told once. Only reads interleave; the incident waits for its storage and its timers, never
/// for a handler (its purge is run from outside, <see cref="IncidentPurge"/>).
/// </summary>
internal sealed class IncidentGrain(
    [PersistentState(WorkflowStorage.IncidentState, WorkflowStorage.Name)] IPersistentState<IncidentState> state,
    IIncidentJournal journal,
    HandlerRegistry handlers,
    ClusterWorkflowVersions versions,
    IIncidentCatalog catalog,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock,
    IFaultPoints faults,
    IOptions<WorkflowOptions> workflowOptions,
    ILogger<IncidentGrain> logger) : Grain, IIncidentGrain, IIncidentBookkeeping
{
    private IncidentRecords? _records;
    private IncidentLiveViews? _views;
    /// <summary>The write that stores the incident's end, while it is under way: callers that read the status wait for it.</summary>
    private Task? _finishing;
    /// <summary>The queues whose handlers ran for the incident (stored steps, or admitted since): they are told of its end.</summary>
    private HashSet<string> _queues = new(StringComparer.Ordinal);
    private readonly RunningSteps _running = new();

    private Guid IncidentId => this.GetPrimaryKey();
    private IncidentState Incident => state.State;

    public async Task<IncidentInfo> Create(string name, string kind, DateTimeOffset incidentDate, IncidentTerms? terms = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        if (Incident.Status.Exists())
        {
            if (Incident.Name == name && Incident.Kind == kind)
                return Info();
            throw new InvalidOperationException($"Incident {IncidentId} already exists as \"{Incident.Name}\" of kind {Incident.Kind}; create a new IncidentID instead.");
        }

        var unborn = state.State;
        state.State = IncidentState.Created(name, kind, incidentDate, terms, versions.NewestRunning(kind), clock.GetUtcNow());
        try
        {
            await Records.WriteAsync();
        }
        catch
        {
            // Not known to be stored: a retry of Create must write it, not find it.
            state.State = unborn;
            throw;
        }
        logger.LogInformation("Incident {IncidentId} \"{Name}\" of kind {Kind} created (workflow version {WorkflowVersion}, {Urgency}{Deadline})", IncidentId, name, kind,
            Incident.WorkflowVersion, Incident.Urgency, Incident.Deadline is { } due ? $", deadline {due:O}" : "");
        await StartDeadlineAsync();
        return Info();
    }

    public async Task TimersStarted()
    {
        if (Incident.HasTimers)
            return;
        Incident.HasTimers = true;
        await Records.WriteAsync();
    }

    public async Task<string?> DeadlinePassed(DateTimeOffset deadline)
    {
        if (!Incident.Status.Exists() || Incident.Status.IsFinished() || Incident.Deadline != deadline)
            return null;
        if (Incident.OverdueSince is null)
        {
            Incident.OverdueSince = clock.GetUtcNow();
            await Records.WriteAsync();
            WorkflowMetrics.IncidentsOverdue.Add(1, new KeyValuePair<string, object?>("owf.incident.kind", Incident.Kind));
            Publish(IncidentEventKind.StatusChanged, detail: "overdue");
            logger.LogWarning("Incident {IncidentId} \"{Name}\" is {Status} past its deadline {Deadline:O}", IncidentId, Incident.Name, Incident.Status, deadline);
        }
        return handlers.DeadlineQueueOf(Incident.Kind) is { } queue ? Wire.WireContract.QueueFor(queue, Incident.Urgency) : null;
    }

    /// <summary>Hands an unfinished incident's deadline to its timers (again after a crash: they keep it once).</summary>
    private Task StartDeadlineAsync() =>
        Incident is { Deadline: { } deadline, OverdueSince: null } && !Incident.Status.IsFinished()
            ? GrainFactory.GetGrain<IIncidentTimersGrain>(IncidentId).SetDeadline(deadline)
            : Task.CompletedTask;

    public async Task<IncidentInfo?> GetInfo()
    {
        await AfterFinishingAsync();
        return Incident.Status.Exists() ? Info() : null;
    }

    public Task Complete() => Finish(IncidentStatus.Completed, reason: null);

    public Task Cancel(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return Finish(IncidentStatus.Cancelled, reason);
    }

    public async Task<IncidentWorkingData?> WorkingData()
    {
        if (!Incident.Status.IsFinished())
            return null;
        if (Incident.PurgedAt is { } purgedAt)
        {
            await catalog.MarkPurgedAsync(IncidentId, purgedAt);
            return null;
        }
        return new IncidentWorkingData([.. _queues], [.. Incident.Simulations.Select(s => s.SimulationId)], Incident.HasTimers);
    }

    public async Task WorkingDataPurged()
    {
        Incident.PurgedAt = clock.GetUtcNow();
        await Records.WriteAsync();
        await catalog.MarkPurgedAsync(IncidentId, Incident.PurgedAt.Value);
        logger.LogDebug("Incident {IncidentId}: working data purged", IncidentId);
    }

    public async Task MarkError(string reason)
    {
        RequireExists();
        if (Incident.Status.IsFinished())
            return;
        Incident.Status = IncidentStatus.Error;
        Incident.Reason = reason;
        Incident.UpdatedAt = clock.GetUtcNow();
        await Records.WriteAsync();
        Publish(IncidentEventKind.StatusChanged, detail: reason);
        logger.LogWarning("Incident {IncidentId} marked Error: {Reason}", IncidentId, reason);
    }

    public Task<HandlerTicket> Admit(string queue)
    {
        var ranBefore = !_queues.Add(queue);
        if (Incident.Status == IncidentStatus.Pending)
        {
            Incident.Status = IncidentStatus.Active;
            Touch();
            Publish(IncidentEventKind.StatusChanged);
        }
        return Task.FromResult(new HandlerTicket(Incident.Status, Incident.Urgency, Incident.Workflow, ranBefore));
    }

    public Task StepStarted(string queue, string messageId, string? originator, DateTimeOffset at)
    {
        _running.Started(queue, messageId, originator, at);
        Publish(IncidentEventKind.StepStarted, queue, messageId);
        return Task.CompletedTask;
    }

    public Task StepLeft(string queue, string messageId)
    {
        _running.Left(queue, messageId);
        return Task.CompletedTask;
    }

    public Task StepEnded(IncidentStep step)
    {
        _running.Ended(step);
        _queues.Add(step.Queue);
        Touch();
        Publish(IncidentEventKind.StepEnded, step.Queue, step.MessageId, step.Outcome.ToString());
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<IncidentStep>> GetSteps()
    {
        var recorded = await journal.ReadStepsAsync(IncidentId);
        return _running.AppendTo([.. Incident.Steps, .. recorded]);
    }

    public Task SimulationChanged(SimulationInfo simulation)
    {
        Incident.Report(simulation);
        Touch();
        Publish(IncidentEventKind.SimulationChanged, detail: $"{simulation.SimulationId} {simulation.Status}");
        return Task.CompletedTask;
    }

    public Task JoinChanged(JoinInfo join)
    {
        Incident.Report(join);
        Touch();
        Publish(IncidentEventKind.JoinChanged, join.Queue, detail: join.Name);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JoinInfo>> GetJoins() => Task.FromResult<IReadOnlyList<JoinInfo>>([.. Incident.Joins]);

    public Task<IReadOnlyList<SimulationInfo>> GetSimulations() => Task.FromResult<IReadOnlyList<SimulationInfo>>([.. Incident.Simulations]);

    public async Task RecordDeadLetter(DeadLetterRecord letter)
    {
        if (!Incident.Status.Exists())
            return;
        await journal.AddDeadLetterAsync(IncidentId, letter);
        Touch();
        Publish(IncidentEventKind.DeadLettered, letter.Queue, letter.MessageId, letter.Reason);
    }

    public async Task<IReadOnlyList<DeadLetterRecord>> GetDeadLetters() => [.. Incident.DeadLetters, .. await journal.ReadDeadLettersAsync(IncidentId)];

    public Task Watch(TimeSpan duration)
    {
        Views.Watch(duration);
        return Task.CompletedTask;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!Incident.Status.Exists())
            return;
        _queues = await journal.ReadQueuesAsync(IncidentId);
        _queues.UnionWith(Incident.Steps.Select(s => s.Queue));
        // The catalog row is written after the state, but an end before it: a crash between the two is repaired here.
        await Records.RepairAtActivationAsync();
        await StartDeadlineAsync();
        if (Incident.Status.IsFinished())
            Views.LeaveAfter(workflowOptions.Value.FinishedIncidentIdle);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Records.FlushAsync();

    /// <summary>
    /// Stores the incident's end first, then acts on it. Until the write returns, nobody sees the new status (readers
    /// wait for it); when it fails, the incident is as it was, and the retry does everything. A retry that finds the
    /// end already stored (the write committed but reported an error) still does what follows it.
    /// </summary>
    private async Task Finish(IncidentStatus final, string? reason)
    {
        RequireExists();
        if (Incident.Status.IsFinished())
        {
            if (Incident.Status == final)
                AfterFinish(final, Incident.Reason);
            return;
        }

        var before = (Incident.Status, Incident.Reason, Incident.UpdatedAt);
        (Incident.Status, Incident.Reason, Incident.UpdatedAt) = (final, reason, clock.GetUtcNow());
        var writing = Records.WriteAsync();
        _finishing = writing;
        try
        {
            await writing;
            faults.IncidentEndWritten(Incident.Name, IncidentId);
        }
        catch
        {
            (Incident.Status, Incident.Reason, Incident.UpdatedAt) = before;
            throw;
        }
        finally
        {
            _finishing = null;
        }
        Publish(IncidentEventKind.StatusChanged, detail: reason);
        logger.LogInformation("Incident {IncidentId} {Status}{Reason}", IncidentId, final, reason is null ? "" : $": {reason}");
        AfterFinish(final, reason);
    }

    /// <summary>What follows a stored end: handlers drop their data, and a cancelled incident's running simulations are cancelled. Safe to repeat.</summary>
    private void AfterFinish(IncidentStatus final, string? reason)
    {
        // One-way calls: the handler that completed us may still be inside its own call. A simulation that misses
        // its cancel call (a crash) cancels itself at its next poll, when it sees the incident Cancelled.
        foreach (var queue in _queues.Where(handlers.IsRegistered))
            _ = handlers.Resolve(GrainFactory, IncidentId, queue).ClearIncidentData();
        if (Incident.HasTimers)
            _ = GrainFactory.GetGrain<IIncidentTimersGrain>(IncidentId).Stop();
        if (final == IncidentStatus.Cancelled)
            foreach (var simulation in Incident.Simulations.Where(s => !s.Status.IsFinished()))
                _ = GrainFactory.GetGrain<ISimulationGrain>(simulation.SimulationId).Cancel(reason!);
        Views.LeaveAfter(workflowOptions.Value.FinishedIncidentIdle);
    }

    /// <summary>Waits for a write of the incident's end under way, whatever its outcome.</summary>
    private Task AfterFinishingAsync() =>
        _finishing is { } finishing ? finishing.ContinueWith(static _ => { }, TaskScheduler.Current) : Task.CompletedTask;

    private void RequireExists()
    {
        if (!Incident.Status.Exists())
            throw new InvalidOperationException($"Incident {IncidentId} was never created; create it first with CreateIncident.");
    }

    /// <summary>A change that can wait: stored with the others made within half a second.</summary>
    private void Touch()
    {
        Incident.UpdatedAt = clock.GetUtcNow();
        Records.WriteSoon();
    }

    private IncidentRecords Records => _records ??= new IncidentRecords(this, IncidentId, state, catalog, logger);

    private IncidentLiveViews Views => _views ??= new IncidentLiveViews(this, IncidentId,
        () => this.GetStreamProvider(IncidentEvents.StreamProvider).GetStream<IncidentEvent>(IncidentEvents.StreamNamespace, IncidentId), clock, logger);

    /// <summary>Tells live views (while one watches, see <see cref="Watch"/>) what changed, without holding up the incident.</summary>
    private void Publish(IncidentEventKind kind, string? queue = null, string? messageId = null, string? detail = null) =>
        Views.Publish(Incident.Status, kind, queue, messageId, detail);

    private IncidentInfo Info() => Incident.Info(IncidentId);
}
