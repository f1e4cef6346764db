using Orleans.Storage;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// What one handler knows of its incident, and the one writer of it: the state row an earlier version wrote (read,
/// emptied when the incident finishes, never appended to), then its journal (<see cref="HandlerJournal"/>): documents,
/// handled message ids, joins, and the effects of its newest message until they are carried out.
/// </summary>
internal sealed class HandlerMemory(Guid incidentId, string queue, GrainId grain, IGrainStorage storage, IHandlerJournal journal, OutboxDispatcher dispatcher)
{
    private readonly GrainState<HandlerState> _earlier = new(new HandlerState());
    private bool _outboxDispatched;

    /// <summary>All the handler knows: the earlier version's state row, then its journal.</summary>
    public HandlerState Stored { get; private set; } = new();

    /// <summary>The handler's joins for the incident, from its journal.</summary>
    public Dictionary<string, JoinRecord> Joins { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>The number of the journal's last entry (0: none).</summary>
    public int Seq { get; private set; }

    public bool Loaded { get; private set; }

    /// <summary>The journal was not read (the incident said this handler never ran): the first append refuses an earlier row.</summary>
    public bool ReadSkipped { get; private set; }

    /// <summary>Whether the stored state is unknown (a write whose outcome is not known): the next delivery reads it again.</summary>
    public void Forget() => Loaded = false;

    /// <summary>Reads the state row an earlier version wrote (if any), then the journal appended since.</summary>
    public async Task ReadAsync()
    {
        await storage.ReadStateAsync(WorkflowStorage.HandlerState, grain, _earlier);
        var earlier = _earlier.State ??= new HandlerState();
        var entries = await journal.ReadAsync(incidentId, queue);
        Stored = new HandlerState
        {
            Documents = [.. earlier.Documents, .. entries.SelectMany(e => e.Documents)],
            HandledMessageIds = [.. earlier.HandledMessageIds, .. entries.Select(e => e.MessageId)],
            // Only the newest effects can be waiting: each message's went out before the next was handled.
            Outbox = entries.Count > 0 ? entries[^1].Outbox ?? [] : [.. earlier.Outbox],
        };
        Seq = entries.Count > 0 ? entries[^1].Seq : 0;
        Joins = new Dictionary<string, JoinRecord>(StringComparer.Ordinal);
        JoinRecord.ApplyAll(Joins, entries.SelectMany(e => e.Joins));
        Loaded = true;
        ReadSkipped = false;
        // A stored outbox is carried out again unless this activation carried out exactly that state: sending twice is
        // harmless (its messages keep their ids), skipping is not.
        _outboxDispatched = false;
    }

    /// <summary>Starts from nothing stored, without reading: the incident says this handler never ran (the first append checks it).</summary>
    public void StartEmpty()
    {
        _earlier.State = new HandlerState();
        _earlier.ETag = null;
        _earlier.RecordExists = false;
        Stored = new HandlerState();
        Joins.Clear();
        Seq = 0;
        Loaded = ReadSkipped = true;
    }

    /// <summary>Takes an entry the journal stored into memory; its effects are to be carried out.</summary>
    public void Remember(JournalEntry entry, IEnumerable<JoinRecord> changedJoins, List<OutboxEntry> effects)
    {
        Stored.Documents.AddRange(entry.Documents);
        foreach (var join in changedJoins)
            Joins[join.Name] = join;
        Stored.HandledMessageIds.Add(entry.MessageId);
        Stored.Outbox = effects;
        Seq = entry.Seq;
        ReadSkipped = false;
        _outboxDispatched = false;
    }

    /// <summary>Carries out the stored effects unless done already.</summary>
    public async Task DispatchPendingAsync()
    {
        if (_outboxDispatched || Stored.Outbox.Count == 0)
            return;
        await dispatcher.DispatchAsync(incidentId, Stored.Outbox, CancellationToken.None);
        _outboxDispatched = true;
    }

    /// <summary>The incident finished: documents, effects and joins go; the handled message ids stay, so a late copy of one is still known.</summary>
    public async Task ClearAtFinishAsync()
    {
        if (!Loaded)
            await ReadAsync();
        if (Seq > 0 && (Stored.Documents.Count > 0 || Stored.Outbox.Count > 0 || Joins.Count > 0))
            await journal.ClearDocumentsAsync(incidentId, queue);
        await ClearEarlierRowAsync(documents: true);
        Stored.Documents.Clear();
        Joins.Clear();
        Stored.Outbox = [];
        _outboxDispatched = true;
    }

    /// <summary>
    /// Retention: the journal's rows are the incident's steps, and know a late copy of a handled message, so they stay
    /// (their documents and effects went when the incident finished); the row an earlier version kept goes.
    /// </summary>
    public async Task PurgeAsync()
    {
        if (!Loaded)
            await ReadAsync();
        if (Seq > 0)
            await journal.ClearDocumentsAsync(incidentId, queue);
        if (_earlier.RecordExists)
            await storage.ClearStateAsync(WorkflowStorage.HandlerState, grain, _earlier);
        _earlier.State = new HandlerState();
        Stored = new HandlerState();
        Joins.Clear();
        Loaded = false;
        _outboxDispatched = true;
    }

    /// <summary>Clears effects that were carried out but are still stored, so that a later activation does not repeat them.</summary>
    public async Task ClearCarriedOutAsync(CancellationToken cancellationToken)
    {
        if (!Loaded || !_outboxDispatched || Stored.Outbox.Count == 0)
            return;
        if (Seq > 0)
            await journal.ClearOutboxAsync(incidentId, queue, Seq, cancellationToken);
        else
            await ClearEarlierRowAsync(documents: false);
        Stored.Outbox = [];
    }

    /// <summary>Clears the outbox (and with <paramref name="documents"/> the documents) of the state row an earlier version wrote, if it holds any.</summary>
    private async Task ClearEarlierRowAsync(bool documents)
    {
        var earlier = _earlier.State!;
        if (!_earlier.RecordExists || (earlier.Outbox.Count == 0 && (!documents || earlier.Documents.Count == 0)))
            return;
        earlier.Outbox = [];
        if (documents)
            earlier.Documents.Clear();
        await storage.WriteStateAsync(WorkflowStorage.HandlerState, grain, _earlier);
    }
}
