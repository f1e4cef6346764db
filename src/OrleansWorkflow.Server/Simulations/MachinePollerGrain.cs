using OrleansWorkflow.Telemetry;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Simulations;

[GenerateSerializer]
internal sealed class MachinePollerState
{
    /// <summary>The machine's simulations that have not ended, or whose end the workflow has not been told yet.</summary>
    [Id(0)] public List<Guid> Simulations { get; set; } = [];
}

/// <summary>
/// Polls one machine. The reminder survives silo restarts, so simulations recorded before a crash are submitted
/// (or adopted) and followed to their end afterwards. One SSH command per poll asks about all of the machine's jobs.
/// </summary>
internal sealed class MachinePollerGrain(
    [PersistentState(WorkflowStorage.MachinePollerState, WorkflowStorage.Name)] IPersistentState<MachinePollerState> state,
    HpcMachines machines,
    TimeProvider clock,
    ILogger<MachinePollerGrain> logger) : Grain, IMachinePollerGrain, IMachineWaitingList, IRemindable
{
    private const string PollReminder = "poll";
    /// <summary>When this activation submitted in the last minute (SubmissionsPerMinute); a new activation starts the count again.</summary>
    private readonly Queue<DateTimeOffset> _submissions = new();
    private IReadOnlyList<SimulationInfo> _waiting = [];
    /// <summary>What this activation last heard of each tracked simulation (from submitting or observing it): a machine with limits counts from it.</summary>
    private readonly Dictionary<Guid, SimulationInfo> _known = [];
    private string MachineName => this.GetPrimaryKeyString();

    public async Task Track(Guid simulationId, Guid incidentId, SimulationRequest request, Guid? raceId = null)
    {
        if (state.State.Simulations.Contains(simulationId))
            return;
        await GrainFactory.GetGrain<ISimulationGrain>(simulationId).Create(incidentId, request, raceId);
        state.State.Simulations.Add(simulationId);
        await state.WriteStateAsync();
        await PollSoonAsync();
    }

    public async Task TrackMembers(Guid ensembleId, Guid incidentId, EnsembleRequest request, bool inArray)
    {
        var added = false;
        for (var i = 0; i < request.Members.Count; i++)
        {
            var memberId = EnsembleRequest.MemberId(ensembleId, i);
            if (state.State.Simulations.Contains(memberId))
                continue;
            await GrainFactory.GetGrain<ISimulationGrain>(memberId).CreateMember(incidentId, request.MemberRequest(i), new EnsembleMembership(ensembleId, i, inArray, request.TellMembers));
            state.State.Simulations.Add(memberId);
            added = true;
        }
        if (!added)
            return;
        await state.WriteStateAsync();
        await PollSoonAsync();
    }

    private async Task PollSoonAsync()
    {
        var period = machines.Get(MachineName).Options.PollPeriod;
        await this.RegisterOrUpdateReminder(PollReminder, period, period);
        // Submit now rather than at the next reminder tick.
        this.RegisterGrainTimer(PollAsync, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    public Task<IReadOnlyList<Guid>> GetTracked() => Task.FromResult<IReadOnlyList<Guid>>([.. state.State.Simulations]);

    public Task<IReadOnlyList<SimulationInfo>> GetWaiting()
    {
        machines.Require(MachineName);
        return Task.FromResult(_waiting);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => PollAsync();

    private async Task PollAsync()
    {
        if (state.State.Simulations.Count == 0)
        {
            WorkflowMetrics.SimulationsRunning(MachineName, 0);
            await StopRemindingAsync();
            return;
        }

        var machine = machines.Get(MachineName);
        var (heldBack, turn) = machine.Options.LimitsSubmissions ? await HeldBackAsync(machine.Options) : ([], []);
        var active = new Dictionary<Guid, SimulationInfo>();
        // The ones the limits let through go first, in turn (an Emergency before the routine ones of the same poll).
        foreach (var id in state.State.Simulations.Where(id => !heldBack.Contains(id)).OrderBy(id => turn.IndexOf(id) is var at and >= 0 ? at : int.MaxValue).ToList())
        {
            try
            {
                active[id] = await GrainFactory.GetGrain<ISimulationGrain>(id).EnsureSubmitted();
            }
            catch (Exception e)
            {
                logger.LogWarning("Machine {Machine}: simulation {SimulationId} not submitted yet, retrying next poll: {Error}", MachineName, id, e.Message);
            }
        }

        var jobs = active.Values.Where(s => !s.Status.IsFinished() && s.JobId is not null).ToList();
        var observed = await machine.QueryAsync(jobs.DistinctBy(s => s.JobId).ToDictionary(s => s.JobId!, s => s.WorkingDirectory), CancellationToken.None);
        foreach (var job in jobs)
        {
            try
            {
                active[job.SimulationId] = await GrainFactory.GetGrain<ISimulationGrain>(job.SimulationId).Observe(observed[job.JobId!]);
            }
            catch (Exception e)
            {
                active.Remove(job.SimulationId);
                logger.LogWarning("Machine {Machine}: simulation {SimulationId} could not take this poll's answer, retrying next poll: {Error}", MachineName, job.SimulationId, e.Message);
            }
        }

        foreach (var (id, info) in active)
            _known[id] = info;
        var ended = active.Values.Where(s => s.Status.IsFinished()).Select(s => s.SimulationId).ToHashSet();
        WorkflowMetrics.SimulationsRunning(MachineName, state.State.Simulations.Count(id => !ended.Contains(id)));
        // An ended simulation stays until a poll finds its end told (EnsureSubmitted/Observe tell it first).
        if (state.State.Simulations.RemoveAll(ended.Contains) > 0)
        {
            foreach (var id in ended)
                _known.Remove(id);
            await state.WriteStateAsync();
            if (state.State.Simulations.Count == 0)
                await StopRemindingAsync();
        }
    }

    /// <summary>
    /// The waiting simulations the machine's limits keep from being submitted at this poll, and the ones they let
    /// through, in turn: the most urgent, then the oldest, first.
    /// </summary>
    private async Task<(HashSet<Guid> HeldBack, List<Guid> Turn)> HeldBackAsync(MachineOptions options)
    {
        // Asked of the simulation only when this activation has not heard of it yet (new, or tracked before it started).
        var known = new List<SimulationInfo>();
        foreach (var id in state.State.Simulations)
        {
            if (!_known.TryGetValue(id, out var info) && await GrainFactory.GetGrain<ISimulationGrain>(id).GetInfo() is { } asked)
                _known[id] = info = asked;
            if (info is not null)
                known.Add(info);
        }
        var now = clock.GetUtcNow();
        while (_submissions.TryPeek(out var at) && now - at >= TimeSpan.FromMinutes(1))
            _submissions.Dequeue();
        var waiting = known.Where(s => s.Status == SimulationStatus.Requested).ToList();
        var inScheduler = known.Count(s => s.JobId is not null && !s.Status.IsFinished());
        var turn = MachineCapacity.ToSubmit(waiting, inScheduler, _submissions.Count, options).Select(s => s.SimulationId).ToList();
        var chosen = turn.ToHashSet();
        foreach (var _ in chosen)
            _submissions.Enqueue(now);
        var before = _waiting;
        _waiting = [.. MachineCapacity.InTurn(waiting.Where(s => !chosen.Contains(s.SimulationId)))];
        // Said when what waits changes, not at every poll.
        if (_waiting.Count > 0 && !_waiting.Select(s => s.SimulationId).SequenceEqual(before.Select(s => s.SimulationId)))
            logger.LogInformation("Machine {Machine} holds back {Waiting} simulation(s) at its limits ({InScheduler} job(s) in its scheduler); next: {Next}",
                MachineName, _waiting.Count, inScheduler + chosen.Count, _waiting[0].SimulationId);
        return ([.. _waiting.Select(s => s.SimulationId)], turn);
    }

    private async Task StopRemindingAsync()
    {
        if (await this.GetReminder(PollReminder) is { } reminder)
            await this.UnregisterReminder(reminder);
    }
}
