using Orleans.Concurrency;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// The engine's calls into an incident (implemented by the same grain as <see cref="IIncidentGrain"/>): handler grains
/// check the incident still takes messages and record each step, consumers record dead letters and failures,
/// simulation grains report their jobs.
/// </summary>
[Access.EngineOnly]
internal interface IIncidentBookkeeping : IGrainWithGuidKey
{
    /// <summary>Marks the incident Error (a handler failed past its retry limit). Finished incidents stay as they are.</summary>
    Task MarkError(string reason);

    /// <summary>
    /// Records (in memory) that a handler starts on a message, and returns the status the handler must respect and
    /// the step the handler's own write records when the message is handled (<see cref="StepStored"/>).
    /// </summary>
    [AlwaysInterleave]
    Task<StepTicket> BeginStep(string queue, string messageId, string? originator);

    /// <summary>
    /// The handler on <paramref name="queue"/> stored step <paramref name="number"/> (its message handled, Completed)
    /// in the same write as its own state: the incident takes it as stored.
    /// </summary>
    [AlwaysInterleave]
    Task StepStored(string queue, string messageId, int number, DateTimeOffset endedAt, IReadOnlyList<string> sentTo);

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

    /// <summary>A join of one of the incident's handlers changed (called by the handler after it stored the change).</summary>
    [OneWay, AlwaysInterleave]
    Task JoinChanged(JoinInfo join);

    /// <summary>A simulation of the incident changed (called by simulation grains).</summary>
    [OneWay, AlwaysInterleave]
    Task SimulationChanged(SimulationInfo simulation);

    /// <summary>
    /// Purges the working data of this finished incident (its handlers' stored data, its simulations' records) and
    /// records when; false when it is not finished, was purged already, or has a simulation not ended yet.
    /// </summary>
    Task<bool> PurgeWorkingData();

    /// <summary>The incident's timers hold something from now on (called by them before their first reminder).</summary>
    Task TimersStarted();

    /// <summary>
    /// The incident's timers say <paramref name="deadline"/> passed: an unfinished incident is marked overdue (once) and
    /// the deadline queue of its kind (for its urgency) is returned for them to notify; null when there is none or nothing to tell.
    /// </summary>
    Task<string?> DeadlinePassed(DateTimeOffset deadline);

    /// <summary>A message of this incident went to a dead-letter queue (called by the engine's queue consumers). Ignored for an incident never created.</summary>
    [AlwaysInterleave]
    Task RecordDeadLetter(DeadLetterRecord letter);
}
