using Orleans.Concurrency;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// The engine's calls into an incident (implemented by the same grain as <see cref="IIncidentGrain"/>): a handler
/// activation is admitted once and then tells the incident of its steps without waiting, consumers record dead
/// letters, simulation grains report their jobs. None of these calls interleaves with another: each change of the
/// incident is made in a turn of its own, and the incident never waits for a grain that may be calling it.
/// </summary>
[Access.EngineOnly]
internal interface IIncidentBookkeeping : IGrainWithGuidKey
{
    /// <summary>Marks the incident Error (a handler failed past its retry limit). Finished incidents stay as they are.</summary>
    Task MarkError(string reason);

    /// <summary>
    /// Admits a new activation of the handler on <paramref name="queue"/>: the incident becomes Active, remembers the
    /// queue (to tell its handler when it finishes) and returns what the handler needs for every message it takes.
    /// </summary>
    Task<HandlerTicket> Admit(string queue);

    /// <summary>A handler has been running on a message for a second (for the incident's live views and its running steps; shorter runs are not told).</summary>
    [OneWay]
    Task StepStarted(string queue, string messageId, string? originator, DateTimeOffset at);

    /// <summary>A handler stopped on a message it started and recorded nothing for it (it found the message handled, or the incident finished).</summary>
    [OneWay]
    Task StepLeft(string queue, string messageId);

    /// <summary>A handler's step ended, recorded by its writer (the handler's journal, or an attempt) before this notice.</summary>
    [OneWay]
    Task StepEnded(IncidentStep step);

    /// <summary>A join of one of the incident's handlers changed (called by the handler after it stored the change).</summary>
    [OneWay]
    Task JoinChanged(JoinInfo join);

    /// <summary>A simulation of the incident changed (called by simulation grains).</summary>
    [OneWay]
    Task SimulationChanged(SimulationInfo simulation);

    /// <summary>
    /// What the finished incident holds beside its records, for <see cref="IncidentPurge"/>; null when it is not
    /// finished or was purged already.
    /// </summary>
    Task<IncidentWorkingData?> WorkingData();

    /// <summary>Its working data was purged (by <see cref="IncidentPurge"/>): records when.</summary>
    Task WorkingDataPurged();

    /// <summary>The incident's timers hold something from now on (called by them before their first reminder).</summary>
    Task TimersStarted();

    /// <summary>
    /// The incident's timers say <paramref name="deadline"/> passed: an unfinished incident is marked overdue (once) and
    /// the deadline queue of its kind (for its urgency) is returned for them to notify; null when there is none or nothing to tell.
    /// </summary>
    Task<string?> DeadlinePassed(DateTimeOffset deadline);

    /// <summary>A message of this incident went to a dead-letter queue (called by the engine's queue consumers). Ignored for an incident never created.</summary>
    Task RecordDeadLetter(DeadLetterRecord letter);
}
