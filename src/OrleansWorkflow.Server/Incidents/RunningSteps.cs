namespace OrleansWorkflow.Incidents;

/// <summary>
/// The steps an incident's handlers said they started and have not said they ended: memory only, for live views and
/// the timeline's Processing steps. A crash loses them, and nothing else: every ended step is in its writer's rows.
/// </summary>
internal sealed class RunningSteps
{
    private readonly Dictionary<(string Queue, string MessageId), IncidentStep> _running = [];

    public void Started(string queue, string messageId, string? originator, DateTimeOffset at) =>
        _running[(queue, messageId)] = new IncidentStep { Queue = queue, MessageId = messageId, Originator = originator, StartedAt = at };

    /// <summary>Forgets a run that ended without a step of its own.</summary>
    public void Left(string queue, string messageId) => _running.Remove((queue, messageId));

    /// <summary>Forgets the run of a step that ended (a notice of an end may overtake its start's: a start no later than the end is forgotten then).</summary>
    public void Ended(IncidentStep step)
    {
        if (_running.TryGetValue((step.Queue, step.MessageId), out var running) && running.StartedAt <= (step.EndedAt ?? step.StartedAt))
            _running.Remove((step.Queue, step.MessageId));
    }

    /// <summary>
    /// The timeline: the recorded steps, then the running ones that no recorded step ended since they started (a start
    /// whose end's notice was lost, or came first, is settled by the recorded step).
    /// </summary>
    public List<IncidentStep> AppendTo(List<IncidentStep> recorded)
    {
        if (_running.Count == 0)
            return recorded;
        var endedLast = new Dictionary<(string, string), DateTimeOffset>();
        foreach (var step in recorded)
            if (step.EndedAt is { } ended && (!endedLast.TryGetValue((step.Queue, step.MessageId), out var known) || known < ended))
                endedLast[(step.Queue, step.MessageId)] = ended;
        foreach (var (key, step) in _running.ToList())
        {
            if (endedLast.TryGetValue(key, out var ended) && ended >= step.StartedAt)
                _running.Remove(key);
            else
                recorded.Add(step);
        }
        return recorded;
    }
}
