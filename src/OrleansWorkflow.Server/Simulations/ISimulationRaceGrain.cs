using Orleans.Concurrency;

namespace OrleansWorkflow.Simulations;

/// <summary>
/// A simulation offered to several machines (<see cref="SubmitStrategy.FirstToStart"/>), keyed by the SimulationID the
/// handler got: each candidate is a simulation of its own on one machine, and this grain says which of them speaks
/// for the race.
/// </summary>
[Access.EngineOnly]
internal interface ISimulationRaceGrain : IGrainWithGuidKey
{
    /// <summary>Records the race and hands each candidate to its machine's poller (once; a repeat changes nothing).</summary>
    Task Create(Guid incidentId, IReadOnlyList<SimulationRequest> candidates);

    /// <summary>
    /// A candidate reached <paramref name="candidate"/>'s status: whether it tells the workflow of it (as the race).
    /// The first to run (or to end having run) wins, and the others are cancelled.
    /// </summary>
    Task<bool> Transition(Guid candidateId, SimulationInfo candidate);

    /// <summary>The race as the workflow sees it: its winner, or before that the first candidate queued; null when never created.</summary>
    [AlwaysInterleave]
    Task<SimulationInfo?> GetInfo();

    /// <summary>The SimulationID of each candidate, in the order of its machines.</summary>
    Task<IReadOnlyList<Guid>> GetCandidates();

    /// <summary>The id of a race's candidate on the <paramref name="index"/>-th machine.</summary>
    public static Guid CandidateId(Guid raceId, int index) => Guid.Parse(Wire.MessageIds.Derive(raceId.ToString(), "candidate", index));
}
