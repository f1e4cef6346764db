namespace OrleansWorkflow.Incidents;

/// <summary>
/// An incident's steps in memory, in order, indexed by message and queue so each handled message is answered in
/// constant time however long the incident: the steps an earlier version kept in the state row first, then the rows.
/// </summary>
internal sealed class IncidentSteps
{
    private readonly List<NumberedStep> _all = [];
    private readonly Dictionary<(string Queue, string MessageId), NumberedStep> _latest = [];
    private readonly HashSet<(string Queue, string MessageId)> _completed = [];
    private int _next;

    public IncidentSteps(IEnumerable<IncidentStep> inHeader, IEnumerable<NumberedStep> stored)
    {
        foreach (var step in inHeader)
            Index(new NumberedStep(_next, step) { InHeader = true });
        foreach (var step in stored)
            Index(step);
    }

    /// <summary>The queues that ever had a step of this incident.</summary>
    public HashSet<string> Queues { get; } = [];

    /// <summary>The latest step of a message on a queue, if any.</summary>
    public NumberedStep? Latest(string queue, string messageId) => _latest.GetValueOrDefault((queue, messageId));

    /// <summary>Whether a step of the message on the queue completed (also one that is not the latest).</summary>
    public bool Completed(string queue, string messageId) =>
        _completed.Contains((queue, messageId)) || Latest(queue, messageId)?.Step.Outcome == StepOutcome.Completed;

    /// <summary>Adds a step, numbered after every step known.</summary>
    public NumberedStep Add(IncidentStep step) => Index(new NumberedStep(_next, step));

    public IReadOnlyList<IncidentStep> Snapshot() => [.. _all.Select(s => s.Step)];

    private NumberedStep Index(NumberedStep step)
    {
        var key = (step.Step.Queue, step.Step.MessageId);
        if (_latest.TryGetValue(key, out var earlier) && earlier.Step.Outcome == StepOutcome.Completed)
            _completed.Add(key);
        _latest[key] = step;
        _all.Add(step);
        Queues.Add(step.Step.Queue);
        _next = Math.Max(_next, step.Number + 1);
        return step;
    }
}
