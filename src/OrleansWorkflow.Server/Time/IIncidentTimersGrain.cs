namespace OrleansWorkflow.Time;

/// <summary>
/// One incident's clock (keyed by its IncidentID): the messages its handlers sent for later and its deadline, kept in
/// storage and woken by a durable reminder, so they survive silo restarts. Everything is dropped when the incident finishes.
/// </summary>
[Access.EngineOnly]
internal interface IIncidentTimersGrain : IGrainWithGuidKey
{
    /// <summary>Keeps <paramref name="sends"/> until they are due; a send known by its message id (pending or sent) is not kept twice.</summary>
    Task Schedule(IReadOnlyList<ScheduledSend> sends);

    /// <summary>Drops the pending sends of these message ids (a join that fired no longer needs its timeout).</summary>
    Task Unschedule(IReadOnlyList<string> messageIds);

    /// <summary>Tells the incident once, at <paramref name="deadline"/>, that its deadline passed.</summary>
    Task SetDeadline(DateTimeOffset deadline);

    /// <summary>The incident finished: nothing pending goes out, and nothing is scheduled from now on.</summary>
    Task Stop();

    /// <summary>Deletes the stopped timers' record (retention of a finished incident's working data).</summary>
    Task Forget();

    /// <summary>The sends still waiting, earliest first.</summary>
    Task<IReadOnlyList<ScheduledSend>> GetPending();
}
