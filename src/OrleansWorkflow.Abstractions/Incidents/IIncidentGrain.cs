using Orleans.Concurrency;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// One incident, keyed by its IncidentID: what client apps do with it. Messages for it go through its queues
/// (<c>WorkflowClient.Send</c>, or any AMQP client); the engine's own bookkeeping calls are not on this interface.
/// </summary>
public interface IIncidentGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Creates the incident, held to <paramref name="terms"/> (a deadline) when given. Creating it twice with the same
    /// name and kind is allowed (the first terms stay); anything else throws.
    /// </summary>
    Task<IncidentInfo> Create(string name, string kind, DateTimeOffset incidentDate, IncidentTerms? terms = null);

    /// <summary>The incident, or null when it was never created.</summary>
    [AlwaysInterleave]
    Task<IncidentInfo?> GetInfo();

    /// <summary>Marks the incident Completed, clears the handlers' temporary data and keeps the record and graph.</summary>
    Task Complete();

    /// <summary>Marks the incident Cancelled with a reason, cancels its running simulations, clears the handlers' temporary data and keeps the record and graph.</summary>
    Task Cancel(string reason);

    /// <summary>Every step of the incident so far, in order of start (the incident's graph is drawn from them).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<IncidentStep>> GetSteps();

    /// <summary>The incident's HPC simulations, in order of creation.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<SimulationInfo>> GetSimulations();

    /// <summary>The joins of the incident's handlers: what each waits for, and until when.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<JoinInfo>> GetJoins();

    /// <summary>The incident's dead letters, oldest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<DeadLetterRecord>> GetDeadLetters();

    /// <summary>
    /// Someone watches this incident live: for <paramref name="duration"/> (at most 10 minutes; call again to go on)
    /// its changes are published on its stream (<see cref="IncidentEvents"/>). Unwatched incidents publish nothing.
    /// </summary>
    Task Watch(TimeSpan duration);
}
