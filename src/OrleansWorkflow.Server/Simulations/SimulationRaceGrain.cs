using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Simulations;

[GenerateSerializer]
internal sealed class SimulationRaceState
{
    [Id(0)] public Guid IncidentId { get; set; }
    [Id(1)] public List<string> Machines { get; set; } = [];
    /// <summary>What each candidate last reported.</summary>
    [Id(2)] public Dictionary<Guid, SimulationInfo> Candidates { get; set; } = [];
    [Id(3)] public Guid? Winner { get; set; }
    /// <summary>The race was told Queued (by its first candidate queued).</summary>
    [Id(4)] public bool QueuedTold { get; set; }
    /// <summary>The race as the workflow sees it.</summary>
    [Id(5)] public SimulationInfo? Info { get; set; }
}

/// <summary>
/// Decides a FirstToStart race: the first candidate seen running (or ended having run) wins, the others are cancelled;
/// when every candidate ended without running, the last to end speaks for the race. Each decision is stored before
/// the candidate acts on it, so after a crash the same candidate wins.
/// </summary>
internal sealed class SimulationRaceGrain(
    [PersistentState(WorkflowStorage.SimulationRaceState, WorkflowStorage.Name)] IPersistentState<SimulationRaceState> state,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock,
    ILogger<SimulationRaceGrain> logger) : Grain, ISimulationRaceGrain
{
    private Guid RaceId => this.GetPrimaryKey();
    private SimulationRaceState Race => state.State;

    public async Task Create(Guid incidentId, IReadOnlyList<SimulationRequest> candidates)
    {
        if (Race.Machines.Count == 0)
        {
            Race.IncidentId = incidentId;
            Race.Machines = [.. candidates.Select(c => c.Machine)];
            Race.Info = new SimulationInfo
            {
                SimulationId = RaceId, IncidentId = incidentId, Machine = string.Join("|", Race.Machines), Status = SimulationStatus.Requested,
                NotifyQueue = candidates[0].NotifyQueue, CreatedAt = clock.GetUtcNow(), Detail = $"first to start of {string.Join(", ", Race.Machines)}",
            };
            await state.WriteStateAsync();
            logger.LogInformation("Simulation {SimulationId} of incident {IncidentId}: first to start of {Machines}", RaceId, incidentId, string.Join(", ", Race.Machines));
        }
        for (var i = 0; i < candidates.Count; i++)
            await GrainFactory.GetGrain<IMachinePollerGrain>(candidates[i].Machine).Track(ISimulationRaceGrain.CandidateId(RaceId, i), incidentId, candidates[i], RaceId);
    }

    public async Task<bool> Transition(Guid candidateId, SimulationInfo candidate)
    {
        Race.Candidates[candidateId] = candidate;
        var tell = false;
        if (Race.Winner is null)
        {
            var ran = candidate.Status is SimulationStatus.Running or SimulationStatus.Completed or SimulationStatus.Failed or SimulationStatus.Timeout;
            var lastToEnd = candidate.Status.IsFinished() && Race.Candidates.Count == Race.Machines.Count && Race.Candidates.Values.All(c => c.Status.IsFinished());
            if (ran || lastToEnd)
            {
                Race.Winner = candidateId;
                logger.LogInformation("Simulation {SimulationId}: {Machine} {How}", RaceId, candidate.Machine, ran ? "started first; the other machines' jobs are cancelled" : "ended last, none having run");
            }
            else if (candidate.Status == SimulationStatus.Queued && !Race.QueuedTold)
            {
                Race.QueuedTold = tell = true;
                Race.Info = Mirror(candidate);
            }
        }
        if (Race.Winner == candidateId)
        {
            tell = true;
            Race.Info = Mirror(candidate);
        }
        await state.WriteStateAsync();
        _ = GrainFactory.GetGrain<IIncidentBookkeeping>(Race.IncidentId).SimulationChanged(Race.Info!);
        if (Race.Winner is { } winner)
            for (var i = 0; i < Race.Machines.Count; i++)
                if (ISimulationRaceGrain.CandidateId(RaceId, i) is var other && other != winner && !(Race.Candidates.GetValueOrDefault(other)?.Status.IsFinished() ?? false))
                    _ = GrainFactory.GetGrain<ISimulationGrain>(other).Cancel($"another machine ({Race.Candidates[winner].Machine}) started simulation {RaceId} first");
        return tell;
    }

    public Task<SimulationInfo?> GetInfo() => Task.FromResult(Race.Info);

    public Task<IReadOnlyList<Guid>> GetCandidates() =>
        Task.FromResult<IReadOnlyList<Guid>>([.. Race.Machines.Select((_, i) => ISimulationRaceGrain.CandidateId(RaceId, i))]);

    /// <summary>A candidate's record as the race's: the candidate's machine, job and directory under the race's id.</summary>
    private SimulationInfo Mirror(SimulationInfo candidate) => candidate with { SimulationId = RaceId, CreatedAt = Race.Info!.CreatedAt };
}
