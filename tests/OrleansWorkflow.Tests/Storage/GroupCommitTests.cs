using Npgsql;
using OrleansWorkflow.Storage;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Storage;

/// <summary>Writes of many callers sharing transactions, on the real PostgreSQL: each caller's write whole or not at all.</summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private const int Writers = 300;
    private TestDatabase _database = null!;
    private NpgsqlDataSource _source = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(withSchema: false);
        _source = NpgsqlDataSource.Create(_database.AdminConnectionString);
        await using var create = _source.CreateCommand("CREATE TABLE item (id integer PRIMARY KEY)");
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>
    /// At most this many transactions commit Writers units that all arrive while the first two are held: those two,
    /// then the rest 64 at a time. However loaded the machine, no unit can commit alone while others wait.
    /// </summary>
    private const long MostTransactions = GroupCommit.MaxTransactionsInFlight
        + (Writers - GroupCommit.MaxTransactionsInFlight + GroupCommit.MaxUnitsPerTransaction - 1) / GroupCommit.MaxUnitsPerTransaction;

    [Fact]
    public async Task Writes_arriving_together_share_transactions_and_each_caller_returns_once_its_write_is_stored()
    {
        var commits = new GroupCommit(_source);

        List<Task<long>> writes;
        await using (await HoldInsertsAsync())
            writes = Enumerable.Range(0, Writers).Select(async i =>
            {
                await commits.CommitAsync(() => [Insert(i), Insert(Writers + i)]);
                return await CountAsync($"SELECT count(*) FROM item WHERE id IN ({i}, {Writers + i})");
            }).ToList();
        var seen = await Task.WhenAll(writes);

        Assert.All(seen, rows => Assert.Equal(2, rows));
        Assert.Equal(2 * Writers, await CountAsync("SELECT count(*) FROM item"));
        Assert.InRange(commits.Transactions, 1, MostTransactions);
    }

    [Theory]
    [InlineData(true)] // as the engine connects: the error names the command
    [InlineData(false)] // a connection that does not: the units go again one by one
    public async Task A_write_that_meets_a_stored_row_fails_alone_and_leaves_none_of_its_rows(bool errorNamesCommand)
    {
        const int taken = 10_000;
        await using (var insert = _source.CreateCommand($"INSERT INTO item VALUES ({taken})"))
            await insert.ExecuteNonQueryAsync();
        await using var source = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(_database.AdminConnectionString) { IncludeFailedBatchedCommand = errorNamesCommand }.ConnectionString);
        var commits = new GroupCommit(source);

        // Writer 150 inserts its own row, then one that exists: the first must not be kept either.
        List<Task> writes;
        await using (await HoldInsertsAsync())
            writes = Enumerable.Range(0, Writers)
                .Select(i => commits.CommitAsync(() => [Insert(i), Insert(i == 150 ? taken : Writers + i)]))
                .ToList();
        var refused = await Assert.ThrowsAsync<PostgresException>(() => writes[150]);
        await Task.WhenAll(writes.Where((_, i) => i != 150));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM item WHERE id = 150"));
        Assert.Equal(2 * (Writers - 1) + 1, await CountAsync("SELECT count(*) FROM item"));
        if (errorNamesCommand)
            Assert.InRange(commits.Transactions, 1, MostTransactions);
    }

    [Fact]
    public async Task A_write_that_cannot_be_built_fails_alone_with_its_own_error()
    {
        var commits = new GroupCommit(_source);

        var writes = Enumerable.Range(0, Writers)
            .Select(i => commits.CommitAsync(() => i == 7 ? Unbuildable() : [Insert(i)]))
            .ToList();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => writes[7]);
        await Task.WhenAll(writes.Where((_, i) => i != 7));

        Assert.Equal("no data for writer 7", error.Message);
        Assert.Equal(Writers - 1, await CountAsync("SELECT count(*) FROM item"));
    }

    private static IEnumerable<NpgsqlBatchCommand> Unbuildable()
    {
        yield return Insert(-1);
        throw new InvalidOperationException("no data for writer 7");
    }

    private static NpgsqlBatchCommand Insert(int id) => new("INSERT INTO item VALUES ($1)") { Parameters = { new NpgsqlParameter { Value = id } } };

    /// <summary>Holds every insert into the table until disposed (a SHARE lock in a transaction of another connection).</summary>
    private async Task<IAsyncDisposable> HoldInsertsAsync()
    {
        var connection = await _source.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE item IN SHARE MODE", connection, transaction))
            await lockTable.ExecuteNonQueryAsync();
        return new Release(async () =>
        {
            await transaction.CommitAsync();
            await connection.DisposeAsync();
        });
    }

    private sealed class Release(Func<Task> release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await release();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var command = _source.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
