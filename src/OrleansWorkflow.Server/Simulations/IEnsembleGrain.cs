using Orleans.Concurrency;

namespace OrleansWorkflow.Simulations;

/// <summary>
/// An ensemble (<see cref="EnsembleRequest"/>), keyed by the SimulationID the handler got: each member is a simulation
/// of its own; this grain submits the scheduler array where the machine runs one, keeps what each member reported,
/// and is the one writer of the ensemble's end.
/// </summary>
[Access.EngineOnly]
internal interface IEnsembleGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Records the ensemble (once; a repeat changes nothing) and returns whether its members run as one scheduler
    /// array. The caller then hands the members to the machine's poller (<see cref="IMachinePollerGrain.TrackMembers"/>):
    /// the ensemble never waits for the poller, which waits for members, which ask the ensemble.
    /// </summary>
    Task<bool> Create(Guid incidentId, EnsembleRequest request);

    /// <summary>
    /// The id of the ensemble's scheduler array: submits it (every member's files, one job per member index) unless an
    /// earlier call, or an earlier attempt the machine still knows of, did. Throws when the machine cannot be reached.
    /// </summary>
    Task<string> EnsureArraySubmitted();

    /// <summary>The array's job id once submitted; null before.</summary>
    [AlwaysInterleave]
    Task<string?> GetArrayJobId();

    /// <summary>A member reached <paramref name="info"/>'s status; the ensemble tells its end once its join is met.</summary>
    Task MemberChanged(int member, SimulationInfo info);

    /// <summary>The "members" of the ensemble's end message (JSON), once its end is decided; null before.</summary>
    [AlwaysInterleave]
    Task<string?> GetToldMembers();

    /// <summary>The ensemble as the workflow sees it; null when never created.</summary>
    [AlwaysInterleave]
    Task<SimulationInfo?> GetInfo();
}

/// <summary>What a member of an ensemble knows of it, kept with the member's simulation.</summary>
/// <param name="EnsembleId">The ensemble's SimulationID.</param>
/// <param name="Member">The member's index, from 0.</param>
/// <param name="InArray">The member is a task of the ensemble's scheduler array (the ensemble submits it), not a job of its own.</param>
/// <param name="Tells">The member's own notices and end go to the notify queue too (<see cref="EnsembleRequest.TellMembers"/>).</param>
[GenerateSerializer, Immutable]
internal sealed record EnsembleMembership(
    [property: Id(0)] Guid EnsembleId,
    [property: Id(1)] int Member,
    [property: Id(2)] bool InArray,
    [property: Id(3)] bool Tells);
