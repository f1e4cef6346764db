using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Storage;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Time;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// One incident. Its state row holds what stays small (name, status, simulations); its steps and dead letters are
/// appended to rows of their own (<see cref="IncidentJournal"/>), so a long incident costs no more per step than a
/// short one. Status changes and ended steps are stored before their callers go on (an ended step before its
/// message is acknowledged; a completed one by its handler's own write, <see cref="StepStored"/>), through one chain
/// of writes: whatever changed while a write was under way goes into the next one, so steps ending together share a
/// write. Started steps are kept in memory only (a crash loses nothing but their start: the redelivery begins them
/// again); the status Active, the last change and simulation changes are written shortly after they happen.
/// </summary>
internal sealed class IncidentGrain(
    [PersistentState(WorkflowStorage.IncidentState, WorkflowStorage.Name)] IPersistentState<IncidentState> state,
    IncidentJournal journal,
    HandlerRegistry handlers,
    ClusterWorkflowVersions versions,
    IncidentCatalog catalog,
    TimeProvider clock,
    IFaultPoints faults,
    WorkflowSettings settings,
    ILogger<IncidentGrain> logger) : Grain, IIncidentGrain, IIncidentBookkeeping
{
    private static readonly TimeSpan StepWriteDelay = TimeSpan.FromMilliseconds(500);
    private IGrainTimer? _pendingWrite;
    /// <summary>Takes a finished incident out of memory once clients had their time to read its outcome.</summary>
    private IGrainTimer? _leaving;
    private WriteChain? _writes;
    private bool _stale;
    private IncidentStatus _catalogued;
    private DateTimeOffset _watchedUntil;
    private IAsyncStream<IncidentEvent>? _events;
    /// <summary>The write that stores the incident's end, while it is under way: callers that read the status wait for it.</summary>
    private Task? _finishing;
    private IncidentSteps _steps = new([], []);
    private List<DeadLetterRecord> _deadLetters = [];
    /// <summary>Ended steps not stored yet.</summary>
    private readonly HashSet<NumberedStep> _unsaved = [];
    /// <summary>The state row must go with the next write (a status change); otherwise it waits for the delayed write.</summary>
    private bool _headerDue;

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

        var now = clock.GetUtcNow();
        var unborn = state.State;
        state.State = new IncidentState
        {
            Name = name,
            Kind = kind,
            IncidentDate = incidentDate,
            Status = IncidentStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            Deadline = terms?.Deadline,
            Urgency = terms?.Urgency ?? IncidentUrgency.Routine,
            WorkflowVersion = versions.NewestRunning(kind),
            HasTimers = terms?.Deadline is not null,
        };
        try
        {
            await WriteNowAsync(header: true);
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
        await WriteNowAsync(header: true);
    }

    public async Task<string?> DeadlinePassed(DateTimeOffset deadline)
    {
        if (!Incident.Status.Exists() || Incident.Status.IsFinished() || Incident.Deadline != deadline)
            return null;
        if (Incident.OverdueSince is null)
        {
            Incident.OverdueSince = clock.GetUtcNow();
            await WriteNowAsync(header: true);
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

    public async Task<bool> PurgeWorkingData()
    {
        await AfterFinishingAsync();
        if (!Incident.Status.IsFinished())
            return false;
        if (Incident.PurgedAt is { } purgedAt)
        {
            await catalog.MarkPurgedAsync(IncidentId, purgedAt);
            return false;
        }
        foreach (var simulation in Incident.Simulations)
            if (!await GrainFactory.GetGrain<ISimulationGrain>(simulation.SimulationId).Forget())
                return false; // its job has not ended yet: a later purge takes it
        foreach (var queue in _steps.Queues.Where(handlers.IsRegistered))
            await handlers.Resolve(GrainFactory, IncidentId, queue).PurgeIncidentData();
        if (Incident.HasTimers)
            await GrainFactory.GetGrain<IIncidentTimersGrain>(IncidentId).Forget();
        Incident.PurgedAt = clock.GetUtcNow();
        await WriteNowAsync(header: true);
        await catalog.MarkPurgedAsync(IncidentId, Incident.PurgedAt.Value);
        logger.LogDebug("Incident {IncidentId}: working data purged", IncidentId);
        return true;
    }

    public async Task MarkError(string reason)
    {
        RequireExists();
        if (Incident.Status.IsFinished())
            return;
        Incident.Status = IncidentStatus.Error;
        Incident.Reason = reason;
        Incident.UpdatedAt = clock.GetUtcNow();
        await WriteNowAsync(header: true);
        Publish(IncidentEventKind.StatusChanged, detail: reason);
        logger.LogWarning("Incident {IncidentId} marked Error: {Reason}", IncidentId, reason);
    }

    public async Task<StepTicket> BeginStep(string queue, string messageId, string? originator)
    {
        await AfterFinishingAsync();
        var status = Incident.Status;
        if (!status.Exists() || status.IsFinished())
            return new StepTicket(status, -1, default);

        if (status == IncidentStatus.Pending)
        {
            Incident.Status = IncidentStatus.Active;
            Publish(IncidentEventKind.StatusChanged);
        }
        // A retry of a message whose earlier attempt never ended (the database or broker failed under it) goes on in that step.
        if (_steps.Latest(queue, messageId) is not { Step.Outcome: StepOutcome.Processing } step)
            step = _steps.Add(new IncidentStep { Queue = queue, MessageId = messageId, Originator = originator, StartedAt = clock.GetUtcNow() });
        Touch();
        Publish(IncidentEventKind.StepStarted, queue, messageId);
        return new StepTicket(Incident.Status, step.InHeader || step.Stored ? -1 : step.Number, step.Step.StartedAt, Incident.Urgency, Incident.Workflow);
    }

    public async Task StepStored(string queue, string messageId, int number, DateTimeOffset endedAt, IReadOnlyList<string> sentTo)
    {
        if (_steps.Latest(queue, messageId) is { Stored: false, InHeader: false } step && step.Number == number)
        {
            step.Step.EndedAt = endedAt;
            step.Step.Outcome = StepOutcome.Completed;
            step.Step.SentTo = [.. sentTo];
            step.Step.Error = null;
            step.Version = 1;
        }
        else
        {
            // This activation did not begin that step (it was activated since): what is stored is the truth.
            await ReadJournalAsync();
        }
        Touch();
        Publish(IncidentEventKind.StepEnded, queue, messageId, StepOutcome.Completed.ToString());
    }

    public async Task EndStep(string queue, string messageId, string? originator, StepOutcome outcome, IReadOnlyList<string> sentTo, string? error)
    {
        var changed = await EndAsync(queue, messageId, originator, step =>
        {
            // A step its handler stored as completed stays so (the handler tells again after carrying out its effects).
            if (outcome == StepOutcome.Completed && step.Outcome == StepOutcome.Completed)
                return false;
            step.EndedAt = clock.GetUtcNow();
            step.Outcome = outcome;
            step.SentTo = [.. sentTo];
            step.Error = error;
            return true;
        });
        if (changed)
            Publish(IncidentEventKind.StepEnded, queue, messageId, outcome.ToString());
    }

    public async Task ConfirmHandled(string queue, string messageId, string? originator)
    {
        var changed = await EndAsync(queue, messageId, originator, step =>
        {
            if (step.Outcome == StepOutcome.Completed)
                return false;
            step.EndedAt = clock.GetUtcNow();
            step.Outcome = StepOutcome.Completed;
            step.Error = null;
            return true;
        });
        if (changed)
            Publish(IncidentEventKind.StepEnded, queue, messageId, StepOutcome.Completed.ToString());
    }

    /// <summary>
    /// Ends the latest step of a message (or a new one when a crash took its start out of this grain's memory before
    /// it was stored) as <paramref name="change"/> says, and stores it. When the step was written elsewhere since it
    /// was read, the incident reads its steps again and applies the change once more.
    /// </summary>
    private async Task<bool> EndAsync(string queue, string messageId, string? originator, Func<IncidentStep, bool> change)
    {
        for (var attempt = 0; ; attempt++)
        {
            var step = _steps.Latest(queue, messageId)
                ?? _steps.Add(new IncidentStep { Queue = queue, MessageId = messageId, Originator = originator, StartedAt = clock.GetUtcNow() });
            if (!change(step.Step))
                return false;
            if (step.InHeader)
                _headerDue = true;
            else
                _unsaved.Add(step);
            Incident.UpdatedAt = clock.GetUtcNow();
            Touch();
            try
            {
                await WriteNowAsync(header: false);
                return true;
            }
            catch (StepConflictException e) when (attempt == 0)
            {
                logger.LogInformation("Incident {IncidentId}: {Conflict}", IncidentId, e.Message);
                await ReadJournalAsync();
            }
        }
    }

    public Task<bool> Handled(string queue, string messageId) =>
        Task.FromResult(_steps.Completed(queue, messageId));

    public Task<bool> HasSteps(string queue) => Task.FromResult(_steps.Queues.Contains(queue));

    public Task<IReadOnlyList<IncidentStep>> GetSteps() => Task.FromResult(_steps.Snapshot());

    public Task SimulationChanged(SimulationInfo simulation)
    {
        var known = Incident.Simulations.FindIndex(s => s.SimulationId == simulation.SimulationId);
        if (known < 0)
            Incident.Simulations.Add(simulation);
        else
            Incident.Simulations[known] = simulation;
        Touch();
        Publish(IncidentEventKind.SimulationChanged, detail: $"{simulation.SimulationId} {simulation.Status}");
        return Task.CompletedTask;
    }

    public Task JoinChanged(JoinInfo join)
    {
        var known = Incident.Joins.FindIndex(j => j.Queue == join.Queue && j.Name == join.Name);
        if (known < 0)
            Incident.Joins.Add(join);
        else
            Incident.Joins[known] = join;
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
        _deadLetters.Add(letter);
        Incident.UpdatedAt = clock.GetUtcNow();
        Touch();
        Publish(IncidentEventKind.DeadLettered, letter.Queue, letter.MessageId, letter.Reason);
    }

    public Task<IReadOnlyList<DeadLetterRecord>> GetDeadLetters() => Task.FromResult<IReadOnlyList<DeadLetterRecord>>([.. Incident.DeadLetters, .. _deadLetters]);

    public Task Watch(TimeSpan duration)
    {
        var until = clock.GetUtcNow() + TimeSpan.FromTicks(Math.Min(duration.Ticks, TimeSpan.FromMinutes(10).Ticks));
        if (until > _watchedUntil)
            _watchedUntil = until;
        return Task.CompletedTask;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!Incident.Status.Exists())
            return;
        await ActivateJournalAsync();
        // The catalog row is written after the state; a crash between the two is repaired here.
        await RecordInCatalogAsync();
        await StartDeadlineAsync();
        if (Incident.Status.IsFinished())
            LeaveAfter(settings.Workflow.FinishedIncidentIdle);
    }

    /// <summary>Deactivates the finished incident after <paramref name="idle"/>, or once nobody watches it live any more.</summary>
    private void LeaveAfter(TimeSpan idle)
    {
        _leaving?.Dispose();
        _leaving = this.RegisterGrainTimer(() =>
        {
            var watched = _watchedUntil - clock.GetUtcNow();
            if (watched > TimeSpan.Zero)
                LeaveAfter(watched);
            else
                DeactivateOnIdle();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions { DueTime = idle, Period = Timeout.InfiniteTimeSpan, Interleave = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_pendingWrite is not null && !_stale)
            await WriteNowAsync(header: true);
    }

    /// <summary>Reads the incident's appended steps and dead letters (after its state row's own, kept from earlier versions).</summary>
    private async Task ActivateJournalAsync()
    {
        var (steps, letters) = await journal.ReadAsync(IncidentId);
        _steps = new IncidentSteps(Incident.Steps, steps);
        _deadLetters = letters;
    }

    /// <summary>
    /// Reads the stored steps again, into those in memory: other calls of this grain go on meanwhile (the bookkeeping
    /// calls interleave) and hold steps of it, so nothing in memory is dropped and no number is handed out twice.
    /// </summary>
    private async Task ReadJournalAsync()
    {
        var (steps, _) = await journal.ReadAsync(IncidentId);
        _steps.Merge(steps, pending: _unsaved.Contains);
    }

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
        var writing = WriteNowAsync(header: true);
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
        foreach (var queue in _steps.Queues.Where(handlers.IsRegistered))
            _ = handlers.Resolve(GrainFactory, IncidentId, queue).ClearIncidentData();
        if (Incident.HasTimers)
            _ = GrainFactory.GetGrain<IIncidentTimersGrain>(IncidentId).Stop();
        if (final == IncidentStatus.Cancelled)
            foreach (var simulation in Incident.Simulations.Where(s => !s.Status.IsFinished()))
                _ = GrainFactory.GetGrain<ISimulationGrain>(simulation.SimulationId).Cancel(reason!);
        LeaveAfter(settings.Workflow.FinishedIncidentIdle);
    }

    /// <summary>Waits for a write of the incident's end under way, whatever its outcome.</summary>
    private Task AfterFinishingAsync() =>
        _finishing is { } finishing ? finishing.ContinueWith(static _ => { }, TaskScheduler.Current) : Task.CompletedTask;

    private void RequireExists()
    {
        if (!Incident.Status.Exists())
            throw new InvalidOperationException($"Incident {IncidentId} was never created; create it first with CreateIncident.");
    }

    private void Touch()
    {
        Incident.UpdatedAt = clock.GetUtcNow();
        _pendingWrite ??= this.RegisterGrainTimer(() => WriteNowAsync(header: true),
            new GrainTimerCreationOptions { DueTime = StepWriteDelay, Period = Timeout.InfiniteTimeSpan, Interleave = true });
    }

    /// <summary>
    /// Stores every ended step so far and, with <paramref name="header"/> (or when a status change made it due), the
    /// state row; steps ending together share one write, see <see cref="WriteChain"/>.
    /// </summary>
    private Task WriteNowAsync(bool header)
    {
        if (header)
        {
            _headerDue = true;
            _pendingWrite?.Dispose();
            _pendingWrite = null;
        }
        _writes ??= new WriteChain(WriteJournalStateAndCatalogAsync);
        return _writes.WriteAsync();
    }

    private async Task WriteJournalStateAndCatalogAsync()
    {
        var steps = _unsaved.ToList();
        _unsaved.Clear();
        try
        {
            await journal.WriteAsync(IncidentId, steps);
        }
        catch (Exception e) when (e is not StepConflictException) // on a conflict the caller reads the steps again
        {
            _unsaved.UnionWith(steps);
            throw;
        }
        if (!_headerDue)
            return;
        _headerDue = false;
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            // A write whose answer was lost may have succeeded: start again from what is stored.
            _stale = true;
            DeactivateOnIdle();
            throw;
        }
        catch
        {
            _headerDue = true;
            throw;
        }
        if (Incident.Status != _catalogued)
            await RecordInCatalogAsync();
    }

    private async Task RecordInCatalogAsync()
    {
        var recorded = Incident.Status;
        try
        {
            await catalog.RecordAsync(Info());
            _catalogued = recorded;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            // The state is stored; the catalog catches up at the next write or activation.
            logger.LogWarning("Incident {IncidentId} is {Status}, but the incident catalog could not be updated: {Error}", IncidentId, recorded, e.Message);
        }
    }

    /// <summary>Tells live views (while one watches, see <see cref="Watch"/>) what changed, without holding up the incident.</summary>
    private void Publish(IncidentEventKind kind, string? queue = null, string? messageId = null, string? detail = null)
    {
        if (clock.GetUtcNow() > _watchedUntil)
            return;
        _events ??= this.GetStreamProvider(IncidentEvents.StreamProvider).GetStream<IncidentEvent>(IncidentEvents.StreamNamespace, IncidentId);
        var publishing = _events.OnNextAsync(new IncidentEvent(IncidentId, kind, Incident.Status, clock.GetUtcNow(), queue, messageId, detail));
        if (!publishing.IsCompleted)
            _ = ObserveAsync(publishing);
    }

    private async Task ObserveAsync(Task publishing)
    {
        try
        {
            await publishing;
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "An event of incident {IncidentId} did not reach its live views", IncidentId);
        }
    }

    private IncidentInfo Info() => new(IncidentId, Incident.Name, Incident.Kind, Incident.IncidentDate, Incident.Status,
        Incident.CreatedAt, Incident.UpdatedAt, Incident.Reason, Incident.Deadline, Incident.OverdueSince, Incident.Urgency, Incident.Workflow.Version);
}
