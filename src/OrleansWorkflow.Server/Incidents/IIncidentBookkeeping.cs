using Orleans.Concurrency;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// The engine's calls into an incident (implemented by the same grain as <see cref="IIncidentGrain"/>): a handler
/// activation is admitted once and then tells the incident of its steps without waiting, consumers record dead
/// letters, simulation grains report their jobs.
/// </summary>
[Access.EngineOnly]
internal interface IIncidentBookkeeping : IGrainWithGuidKey
{
    /// <summary>Marks the incident Error (a handler failed past its retry limit). Finished incidents stay as they are.</summary>
    Task MarkError(string reason);

    /// <summary>
    /// Admits a new activation of the handler on <paramref name="queue"/>: the incident becomes Active, remembers the
    /// queue (to tell its handler when it finishes) and returns what the handler needs for every message it takes.
    /// Interleaves: its only change is made at once, and it waits for an end being stored.
    /// </summary>
    [AlwaysInterleave]
    Task<HandlerTicket> Admit(string queue);

    /// <summary>A handler has been running on a message for a second (for the incident's live views and its running steps; shorter runs are not told).</summary>
    [OneWay, AlwaysInterleave]
    Task StepStarted(string queue, string messageId, string? originator, DateTimeOffset at);

    /// <summary>A handler stopped on a message it started and recorded nothing for it (it found the message handled, or the incident finished).</summary>
    [OneWay, AlwaysInterleave]
    Task StepLeft(string queue, string messageId);

    /// <summary>A handler's step ended, recorded by its writer (the handler's journal, or an attempt) before this notice.</summary>
    [OneWay, AlwaysInterleave]
    Task StepEnded(IncidentStep step);

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
