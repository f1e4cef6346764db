using Orleans.Concurrency;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// One incident, keyed by its IncidentID. Client apps call it to create, finish and inspect incidents;
/// handler grains call it to check the incident still takes messages and to record each step.
/// </summary>
public interface IIncidentGrain : IGrainWithGuidKey
{
    /// <summary>Creates the incident. Creating it twice with the same name and kind is allowed; anything else throws.</summary>
    Task<IncidentInfo> Create(string name, string kind, DateTimeOffset incidentDate);

    /// <summary>The incident, or null when it was never created.</summary>
    [AlwaysInterleave]
    Task<IncidentInfo?> GetInfo();

    /// <summary>Marks the incident Completed, clears the handlers' temporary data and keeps the record and graph.</summary>
    Task Complete();

    /// <summary>Marks the incident Cancelled with a reason, cancels its running simulations, clears the handlers' temporary data and keeps the record and graph.</summary>
    Task Cancel(string reason);

    /// <summary>Marks the incident Error (a handler failed past its retry limit). Finished incidents stay as they are.</summary>
    Task MarkError(string reason);

    /// <summary>Records that a handler starts on a message and returns the status the handler must respect.</summary>
    [AlwaysInterleave]
    Task<IncidentStatus> BeginStep(string queue, string messageId, string? originator);

    /// <summary>
    /// Records, stored before it returns, that the handler on <paramref name="queue"/> handled <paramref name="messageId"/>
    /// in an earlier attempt (a redelivery after a crash): its step ends Completed, or is added when a crash lost it.
    /// </summary>
    [AlwaysInterleave]
    Task ConfirmHandled(string queue, string messageId, string? originator);

    /// <summary>Whether the handler on <paramref name="queue"/> completed message <paramref name="messageId"/> (known even after the handler's data was cleared).</summary>
    [AlwaysInterleave]
    Task<bool> Handled(string queue, string messageId);

    /// <summary>Whether a handler on <paramref name="queue"/> ever started a step of this incident (so it may have stored state).</summary>
    [AlwaysInterleave]
    Task<bool> HasSteps(string queue);

    /// <summary>
    /// Records how a handler's step ended and where it sent messages, and returns once that record is stored: the
    /// message is acknowledged only after it, so a crash cannot take a handled step out of the incident's graph.
    /// Steps ending together share one write.
    /// </summary>
    [AlwaysInterleave]
    Task EndStep(string queue, string messageId, string? originator, StepOutcome outcome, IReadOnlyList<string> sentTo, string? error);

    /// <summary>Every step of the incident so far, in order of start.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<IncidentStep>> GetSteps();

    /// <summary>A simulation of the incident changed (called by simulation grains).</summary>
    [OneWay, AlwaysInterleave]
    Task SimulationChanged(SimulationInfo simulation);

    /// <summary>The incident's HPC simulations, in order of creation.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<SimulationInfo>> GetSimulations();

    /// <summary>A message of this incident went to a dead-letter queue (called by the engine's queue consumers). Ignored for an incident never created.</summary>
    [AlwaysInterleave]
    Task RecordDeadLetter(DeadLetterRecord letter);

    /// <summary>The incident's dead letters, oldest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<DeadLetterRecord>> GetDeadLetters();

    /// <summary>
    /// Someone watches this incident live: for <paramref name="duration"/> (at most 10 minutes; call again to go on)
    /// its changes are published on its stream (<see cref="IncidentEvents"/>). Unwatched incidents publish nothing.
    /// </summary>
    [AlwaysInterleave]
    Task Watch(TimeSpan duration);
}
