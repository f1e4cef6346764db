using Npgsql;

namespace OrleansWorkflow.Storage;

/// <summary>
/// Group commit across grains: writes that arrive while the database is busy with earlier ones share one transaction.
/// Each write is a unit that is kept whole or not at all; its caller is released only once the transaction holding it
/// committed (or, when the unit itself failed, with its error). A write arriving at an idle silo goes out at once, so
/// grouping adds no wait; under load the units that queued during a commit go out together in the next.
/// </summary>
internal sealed class GroupCommit(NpgsqlDataSource database)
{
    /// <summary>Units per transaction: enough to share a commit among a busy silo's handlers, few enough that one
    /// failing unit (which sends the others round again) costs little.</summary>
    internal const int MaxUnitsPerTransaction = 64;

    /// <summary>Transactions under way at once: while one commits, the next is already being sent.</summary>
    internal const int MaxTransactionsInFlight = 2;

    private readonly Lock _gate = new();
    private readonly Queue<Unit> _waiting = new();
    private int _inFlight;

    /// <summary>Transactions committed so far (for tests and diagnostics).</summary>
    internal long Transactions => Interlocked.Read(ref _transactions);
    private long _transactions;

    /// <summary>
    /// Runs <paramref name="commands"/> (built anew for each attempt) as one unit of a shared transaction. A
    /// <see cref="PostgresException"/> raised by one of them fails this unit only: the transaction is rolled back and
    /// the other units go again without it. Any other error fails every unit of that transaction.
    /// </summary>
    public Task CommitAsync(Func<IEnumerable<NpgsqlBatchCommand>> commands)
    {
        var unit = new Unit(commands);
        bool start;
        lock (_gate)
        {
            _waiting.Enqueue(unit);
            start = _inFlight < MaxTransactionsInFlight;
            if (start)
                _inFlight++;
        }
        if (start)
            _ = Task.Run(CommitWaitingAsync);
        return unit.Done.Task;
    }

    private async Task CommitWaitingAsync()
    {
        while (true)
        {
            var group = new List<Unit>();
            lock (_gate)
            {
                while (group.Count < MaxUnitsPerTransaction && _waiting.TryDequeue(out var unit))
                    group.Add(unit);
                if (group.Count == 0)
                {
                    _inFlight--;
                    return;
                }
            }
            await CommitGroupAsync(group);
        }
    }

    private async Task CommitGroupAsync(List<Unit> group)
    {
        while (group.Count > 0)
        {
            var owners = new Dictionary<NpgsqlBatchCommand, Unit>(ReferenceEqualityComparer.Instance);
            // One batch is one transaction: its commands go out with one Sync, and the first error undoes them all.
            await using var batch = database.CreateBatch();
            foreach (var unit in group.ToList())
            {
                try
                {
                    foreach (var command in unit.Commands())
                    {
                        batch.BatchCommands.Add(command);
                        owners[command] = unit;
                    }
                }
                catch (Exception e)
                {
                    // A unit that cannot even be written down (its caller's data) fails alone, before anything is sent.
                    foreach (var (command, owner) in owners.Where(o => o.Value == unit).ToList())
                    {
                        batch.BatchCommands.Remove(command);
                        owners.Remove(command);
                    }
                    unit.Done.TrySetException(e);
                    group.Remove(unit);
                }
            }
            if (group.Count == 0)
                return;
            try
            {
                await batch.ExecuteNonQueryAsync();
                Interlocked.Increment(ref _transactions);
                foreach (var unit in group)
                    unit.Done.TrySetResult();
                return;
            }
            catch (PostgresException e) when (e.BatchCommand is { } failed && owners.TryGetValue(failed, out var culprit))
            {
                culprit.Done.TrySetException(e);
                group.Remove(culprit);
            }
            catch (PostgresException) when (group.Count > 1)
            {
                // One of the units failed, but the connection does not say which (no Include Failed Batched Command):
                // each goes again in a transaction of its own.
                foreach (var unit in group)
                    await CommitGroupAsync([unit]);
                return;
            }
            catch (Exception e)
            {
                // Not one unit's doing (the connection, the server): whether the transaction committed is unknown to all.
                foreach (var unit in group)
                    unit.Done.TrySetException(e);
                return;
            }
        }
    }

    private sealed class Unit(Func<IEnumerable<NpgsqlBatchCommand>> commands)
    {
        public Func<IEnumerable<NpgsqlBatchCommand>> Commands { get; } = commands;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
