namespace OrleansWorkflow.Incidents;

/// <summary>
/// An incident's steps in memory, in order of their numbers, indexed by message and queue so each handled message is
/// answered in constant time however long the incident: the steps an earlier version kept in the state row first,
/// then the rows. Numbers only grow: a number once handed out (a handler may carry it in its own write) is never
/// handed out again, even when the stored steps are read again (<see cref="Merge"/>).
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

    /// <summary>
    /// Takes in the steps as stored, read while this incident went on: a row written elsewhere (a handler's own write
    /// of its step, mostly) replaces what memory holds of it, unless memory's copy is as new or waits to be written
    /// (<paramref name="pending"/>: that write finds the row changed and its caller reads again). Steps not stored yet
    /// stay, with their numbers; one whose number a row of another message took (a handler holding a number from an
    /// earlier activation of this incident) is numbered anew.
    /// </summary>
    public void Merge(IEnumerable<NumberedStep> stored, Func<NumberedStep, bool> pending)
    {
        foreach (var row in stored)
        {
            var at = IndexOf(row.Number);
            if (at < 0)
            {
                Index(row);
                continue;
            }
            var known = _all[at];
            if (Key(known) != Key(row))
            {
                if (known.Stored || known.InHeader)
                    continue; // two stored steps never share a number: memory's is as stored
                Renumber(known);
                Index(row);
                continue;
            }
            if (known.Version >= row.Version || pending(known))
                continue;
            known.Step.EndedAt = row.Step.EndedAt;
            known.Step.Outcome = row.Step.Outcome;
            known.Step.SentTo = row.Step.SentTo;
            known.Step.Error = row.Step.Error;
            known.Version = row.Version;
            if (row.Step.Outcome == StepOutcome.Completed)
                _completed.Add(Key(row));
        }
    }

    public IReadOnlyList<IncidentStep> Snapshot() => [.. _all.Select(s => s.Step)];

    private static (string Queue, string MessageId) Key(NumberedStep step) => (step.Step.Queue, step.Step.MessageId);

    private NumberedStep Index(NumberedStep step)
    {
        var key = Key(step);
        if (_latest.TryGetValue(key, out var latest) && latest.Number > step.Number)
        {
            // A row of a message older than the step memory holds for it.
            if (step.Step.Outcome == StepOutcome.Completed)
                _completed.Add(key);
        }
        else
        {
            if (latest?.Step.Outcome == StepOutcome.Completed)
                _completed.Add(key);
            _latest[key] = step;
        }
        Insert(step);
        Queues.Add(step.Step.Queue);
        return step;
    }

    /// <summary>Gives a step not stored yet the next number, leaving its number to the row that took it.</summary>
    private void Renumber(NumberedStep step)
    {
        _all.RemoveAt(IndexOf(step.Number));
        step.Number = _next;
        Insert(step);
    }

    private void Insert(NumberedStep step)
    {
        if (_all.Count == 0 || _all[^1].Number < step.Number)
            _all.Add(step);
        else
            _all.Insert(~IndexOf(step.Number), step);
        _next = Math.Max(_next, step.Number + 1);
    }

    /// <summary>Where the step numbered <paramref name="number"/> is in <see cref="_all"/> (sorted by number), or the complement of where it would go.</summary>
    private int IndexOf(int number)
    {
        var (low, high) = (0, _all.Count - 1);
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            var found = _all[middle].Number;
            if (found == number)
                return middle;
            if (found < number)
                low = middle + 1;
            else
                high = middle - 1;
        }
        return ~low;
    }
}
