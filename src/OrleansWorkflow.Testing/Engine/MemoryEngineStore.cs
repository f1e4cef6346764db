using OrleansWorkflow.Handlers;
using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Testing.Engine;

/// <summary>
/// The engine's records in memory, for one test host: incidents, the handlers' journals, the attempts that did not
/// complete, dead letters. It keeps the contract of the PostgreSQL store: an entry whose place (incident, queue,
/// number) is taken is refused, so is an entry of an incident whose end is recorded, and a finished incident's
/// record stays finished.
/// </summary>
internal sealed class MemoryEngineStore : IHandlerJournal, IStepAttempts, IIncidentJournal, IIncidentCatalog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, IncidentRecord> _incidents = [];
    private readonly Dictionary<(Guid Incident, string Queue), SortedList<int, StoredEntry>> _journals = [];
    private readonly List<(Guid Incident, long Place, IncidentStep Step)> _steps = [];
    private readonly Dictionary<Guid, List<DeadLetterRecord>> _deadLetters = [];
    private readonly Dictionary<(Guid Incident, string Queue, string MessageId), JournalEntry> _appended = [];
    private long _places;

    private sealed record IncidentRecord(IncidentInfo Info, DateTimeOffset? PurgedAt);

    private sealed record StoredEntry(JournalEntry Entry, HandledStep Step);

    /// <summary>The incidents recorded so far that are not finished.</summary>
    public IReadOnlyList<Guid> Unfinished()
    {
        lock (_lock)
            return [.. _incidents.Values.Where(r => !r.Info.Status.IsFinished()).Select(r => r.Info.IncidentId)];
    }

    /// <summary>The journal entry handler <paramref name="queue"/> appended for <paramref name="messageId"/> of the incident, as appended (its effects too), or null.</summary>
    public JournalEntry? AppendedEntryOf(Guid incidentId, string queue, string messageId)
    {
        lock (_lock)
            return _appended.GetValueOrDefault((incidentId, queue, messageId));
    }

    Task<List<JournalEntry>> IHandlerJournal.ReadAsync(Guid incidentId, string queue, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_journals.TryGetValue((incidentId, queue), out var journal))
                return Task.FromResult(new List<JournalEntry>());
            var newest = journal.Count == 0 ? -1 : journal.Keys[^1];
            return Task.FromResult(journal.Values.Select(s => s.Entry.Seq == newest ? s.Entry : s.Entry with { Outbox = null }).ToList());
        }
    }

    Task IHandlerJournal.AppendAsync(Guid incidentId, string queue, JournalEntry entry, HandledStep step, bool refuseEarlierRow)
    {
        lock (_lock)
        {
            if (_incidents.TryGetValue(incidentId, out var incident) && incident.Info.Status.IsFinished())
                throw new IncidentFinishedException($"incident {incidentId} is already {incident.Info.Status}", new InvalidOperationException("the incident's end is recorded"));
            if (!_journals.TryGetValue((incidentId, queue), out var journal))
                _journals[(incidentId, queue)] = journal = [];
            if (journal.ContainsKey(entry.Seq) || journal.Values.Any(s => s.Entry.MessageId == entry.MessageId))
                throw new JournalConflictException($"handler {queue} of incident {incidentId}, message {entry.MessageId}: entry {entry.Seq} is taken",
                    new InvalidOperationException("the journal entry's place is taken"));
            var kept = entry with { Outbox = entry.Outbox is { Count: > 0 } effects ? [.. effects] : null };
            journal.Add(entry.Seq, new StoredEntry(kept, step));
            _appended[(incidentId, queue, entry.MessageId)] = kept;
            _steps.Add((incidentId, ++_places, new IncidentStep
            {
                Queue = queue, MessageId = entry.MessageId, Originator = step.Originator, StartedAt = step.StartedAt, EndedAt = step.EndedAt,
                Outcome = StepOutcome.Completed, SentTo = [.. step.SentTo],
            }));
        }
        return Task.CompletedTask;
    }

    Task IHandlerJournal.ClearOutboxAsync(Guid incidentId, string queue, int seq, CancellationToken cancellationToken)
    {
        lock (_lock)
            if (_journals.TryGetValue((incidentId, queue), out var journal) && journal.TryGetValue(seq, out var stored))
                journal[seq] = stored with { Entry = stored.Entry with { Outbox = null } };
        return Task.CompletedTask;
    }

    Task IHandlerJournal.ClearDocumentsAsync(Guid incidentId, string queue, CancellationToken cancellationToken)
    {
        lock (_lock)
            if (_journals.TryGetValue((incidentId, queue), out var journal))
                foreach (var seq in journal.Keys.ToList())
                    journal[seq] = journal[seq] with { Entry = journal[seq].Entry with { Documents = [], Outbox = null, Joins = [] } };
        return Task.CompletedTask;
    }

    Task IStepAttempts.RecordAsync(StepAttempt attempt)
    {
        lock (_lock)
            _steps.Add((attempt.IncidentId, ++_places, attempt.ToStep()));
        return Task.CompletedTask;
    }

    Task<List<IncidentStep>> IIncidentJournal.ReadStepsAsync(Guid incidentId, CancellationToken cancellationToken)
    {
        lock (_lock)
            return Task.FromResult(_steps.Where(s => s.Incident == incidentId).OrderBy(s => s.Place).Select(s => s.Step).ToList());
    }

    Task<HashSet<string>> IIncidentJournal.ReadQueuesAsync(Guid incidentId, CancellationToken cancellationToken)
    {
        lock (_lock)
            return Task.FromResult(_journals.Keys.Where(k => k.Incident == incidentId).Select(k => k.Queue).ToHashSet(StringComparer.Ordinal));
    }

    Task<List<DeadLetterRecord>> IIncidentJournal.ReadDeadLettersAsync(Guid incidentId, CancellationToken cancellationToken)
    {
        lock (_lock)
            return Task.FromResult(_deadLetters.TryGetValue(incidentId, out var letters) ? letters.ToList() : []);
    }

    Task IIncidentJournal.AddDeadLetterAsync(Guid incidentId, DeadLetterRecord letter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_deadLetters.TryGetValue(incidentId, out var letters))
                _deadLetters[incidentId] = letters = [];
            letters.Add(letter);
        }
        return Task.CompletedTask;
    }

    Task IIncidentCatalog.CreateAsync(IncidentInfo incident) => ((IIncidentCatalog)this).WriteAsync(incident);

    Task IIncidentCatalog.WriteAsync(IncidentInfo incident)
    {
        Record(incident);
        return Task.CompletedTask;
    }

    Task<StoredStatus> IIncidentCatalog.RecordAsync(IncidentInfo incident, CancellationToken cancellationToken)
    {
        var stored = Record(incident);
        return Task.FromResult(new StoredStatus(stored.Status, stored.Reason, stored.UpdatedAt));
    }

    /// <summary>Writes the incident's record; a finished one keeps its end.</summary>
    private IncidentInfo Record(IncidentInfo incident)
    {
        lock (_lock)
        {
            if (_incidents.TryGetValue(incident.IncidentId, out var known) && known.Info.Status.IsFinished())
                return known.Info;
            var kept = known is null ? incident : known.Info with { Status = incident.Status, UpdatedAt = incident.UpdatedAt, Reason = incident.Reason };
            _incidents[incident.IncidentId] = new IncidentRecord(kept, known?.PurgedAt);
            return kept;
        }
    }

    Task<IReadOnlyList<IncidentInfo>> IIncidentCatalog.ListAsync(IncidentQuery query, CancellationToken cancellationToken)
    {
        query.Validate();
        lock (_lock)
            return Task.FromResult<IReadOnlyList<IncidentInfo>>([.. _incidents.Values.Select(r => r.Info)
                .Where(i => (query.Status is null || i.Status == query.Status) && (query.Kind is null || i.Kind == query.Kind)
                            && (query.WorkflowVersion is null || i.WorkflowVersion == query.WorkflowVersion))
                .OrderByDescending(i => i.CreatedAt).Take(query.Limit)]);
    }

    Task<IReadOnlyList<Guid>> IIncidentCatalog.UnpurgedFinishedAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<Guid>>([.. _incidents.Values
                .Where(r => r.Info.Status.IsFinished() && r.PurgedAt is null && r.Info.UpdatedAt < finishedBefore)
                .OrderBy(r => r.Info.UpdatedAt).Take(limit).Select(r => r.Info.IncidentId)]);
    }

    Task IIncidentCatalog.MarkPurgedAsync(Guid incidentId, DateTimeOffset purgedAt, CancellationToken cancellationToken)
    {
        lock (_lock)
            if (_incidents.TryGetValue(incidentId, out var record))
                _incidents[incidentId] = record with { PurgedAt = purgedAt };
        return Task.CompletedTask;
    }
}
