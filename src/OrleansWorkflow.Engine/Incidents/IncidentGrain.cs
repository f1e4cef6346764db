using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// One incident. Status changes are written at once; the step record that draws the graph is written shortly
/// after it changes (coalescing the many steps of a busy incident into few writes) and on deactivation.
/// </summary>
public sealed class IncidentGrain(
    [PersistentState(WorkflowStorage.IncidentState, WorkflowStorage.Name)] IPersistentState<IncidentState> state,
    HandlerRegistry handlers,
    TimeProvider clock,
    ILogger<IncidentGrain> logger) : Grain, IIncidentGrain
{
    private static readonly TimeSpan StepWriteDelay = TimeSpan.FromMilliseconds(500);
    private IGrainTimer? _pendingWrite;

    private Guid IncidentId => this.GetPrimaryKey();
    private IncidentState Incident => state.State;

    public async Task<IncidentInfo> Create(string name, string kind, DateTimeOffset incidentDate)
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
        state.State = new IncidentState
        {
            Name = name,
            Kind = kind,
            IncidentDate = incidentDate,
            Status = IncidentStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await state.WriteStateAsync();
        logger.LogInformation("Incident {IncidentId} \"{Name}\" of kind {Kind} created", IncidentId, name, kind);
        return Info();
    }

    public Task<IncidentInfo?> GetInfo() => Task.FromResult(Incident.Status.Exists() ? Info() : null);

    public Task Complete() => Finish(IncidentStatus.Completed, reason: null);

    public Task Cancel(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return Finish(IncidentStatus.Cancelled, reason);
    }

    public async Task MarkError(string reason)
    {
        RequireExists();
        if (Incident.Status.IsFinished())
            return;
        Incident.Status = IncidentStatus.Error;
        Incident.Reason = reason;
        Incident.UpdatedAt = clock.GetUtcNow();
        await WriteNowAsync();
        logger.LogWarning("Incident {IncidentId} marked Error: {Reason}", IncidentId, reason);
    }

    public Task<IncidentStatus> BeginStep(string queue, string messageId, string? originator)
    {
        var status = Incident.Status;
        if (!status.Exists() || status.IsFinished())
            return Task.FromResult(status);

        if (status == IncidentStatus.Pending)
            Incident.Status = IncidentStatus.Active;
        // A retry of a message whose earlier attempt never ended (the database or broker failed under it) goes on in that step.
        if (!Incident.Steps.Exists(s => s.Queue == queue && s.MessageId == messageId && s.Outcome == StepOutcome.Processing))
            Incident.Steps.Add(new IncidentStep { Queue = queue, MessageId = messageId, Originator = originator, StartedAt = clock.GetUtcNow() });
        Touch();
        return Task.FromResult(Incident.Status);
    }

    public Task EndStep(string queue, string messageId, StepOutcome outcome, IReadOnlyList<string> sentTo, string? error)
    {
        var step = Incident.Steps.FindLast(s => s.Queue == queue && s.MessageId == messageId);
        if (step is null)
            return Task.CompletedTask;
        step.EndedAt = clock.GetUtcNow();
        step.Outcome = outcome;
        step.SentTo = [.. sentTo];
        step.Error = error;
        Touch();
        return Task.CompletedTask;
    }

    public Task CloseStep(string queue, string messageId)
    {
        var step = Incident.Steps.FindLast(s => s.Queue == queue && s.MessageId == messageId);
        if (step is { Outcome: StepOutcome.Processing })
        {
            step.Outcome = StepOutcome.Completed;
            step.EndedAt = clock.GetUtcNow();
            Touch();
        }
        return Task.CompletedTask;
    }

    public Task<bool> Handled(string queue, string messageId) =>
        Task.FromResult(Incident.Steps.Exists(s => s.Queue == queue && s.MessageId == messageId && s.Outcome == StepOutcome.Completed));

    public Task<bool> HasSteps(string queue) => Task.FromResult(Incident.Steps.Exists(s => s.Queue == queue));

    public Task<IReadOnlyList<IncidentStep>> GetSteps() => Task.FromResult<IReadOnlyList<IncidentStep>>([.. Incident.Steps]);

    public Task SimulationChanged(SimulationInfo simulation)
    {
        var known = Incident.Simulations.FindIndex(s => s.SimulationId == simulation.SimulationId);
        if (known < 0)
            Incident.Simulations.Add(simulation);
        else
            Incident.Simulations[known] = simulation;
        Touch();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SimulationInfo>> GetSimulations() => Task.FromResult<IReadOnlyList<SimulationInfo>>([.. Incident.Simulations]);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_pendingWrite is not null)
            await WriteNowAsync();
    }

    private async Task Finish(IncidentStatus final, string? reason)
    {
        RequireExists();
        if (Incident.Status.IsFinished())
            return;
        Incident.Status = final;
        Incident.Reason = reason;
        Incident.UpdatedAt = clock.GetUtcNow();
        await WriteNowAsync();
        logger.LogInformation("Incident {IncidentId} {Status}{Reason}", IncidentId, final, reason is null ? "" : $": {reason}");

        // One-way calls: the handler that completed us may still be inside its own call. A simulation that misses
        // its cancel call (a crash) cancels itself at its next poll, when it sees the incident Cancelled.
        foreach (var queue in Incident.Steps.Select(s => s.Queue).Distinct().Where(handlers.IsRegistered))
            _ = handlers.Resolve(GrainFactory, IncidentId, queue).ClearIncidentData();
        if (final == IncidentStatus.Cancelled)
            foreach (var simulation in Incident.Simulations.Where(s => !s.Status.IsFinished()))
                _ = GrainFactory.GetGrain<ISimulationGrain>(simulation.SimulationId).Cancel(reason!);
    }

    private void RequireExists()
    {
        if (!Incident.Status.Exists())
            throw new InvalidOperationException($"Incident {IncidentId} was never created; create it first with CreateIncident.");
    }

    private void Touch()
    {
        Incident.UpdatedAt = clock.GetUtcNow();
        _pendingWrite ??= this.RegisterGrainTimer(WriteNowAsync, StepWriteDelay, Timeout.InfiniteTimeSpan);
    }

    private async Task WriteNowAsync()
    {
        _pendingWrite?.Dispose();
        _pendingWrite = null;
        await state.WriteStateAsync();
    }

    private IncidentInfo Info() => new(IncidentId, Incident.Name, Incident.Kind, Incident.IncidentDate, Incident.Status,
        Incident.CreatedAt, Incident.UpdatedAt, Incident.Reason);
}
