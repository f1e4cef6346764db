using Npgsql;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Storage;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Storage;

/// <summary>
/// A handler's step commits only while its incident is unfinished, checked in the step's own transaction against the
/// incident's catalog row, where the incident writes its end first.
/// </summary>
public sealed class StepFenceTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly WorkflowClusterOptions _cluster = new();
    private TestDatabase _database = null!;
    private NpgsqlDataSource _source = null!;
    private HandlerJournal _journal = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _source = NpgsqlDataSource.Create(_database.ConnectionString);
        // No entry of these tests has effects, so the serializer of effects is never asked for.
        _journal = new HandlerJournal(_source, _cluster, serializer: null!, new GroupCommit(_source));
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_step_of_an_unfinished_incident_commits_and_one_of_a_finished_incident_is_refused_and_leaves_no_row()
    {
        var active = await IncidentAsync("Active");
        var completed = await IncidentAsync("Completed");
        var cancelled = await IncidentAsync("Cancelled");

        await AppendAsync(active);
        var refused = await Assert.ThrowsAsync<IncidentFinishedException>(() => AppendAsync(completed));
        Assert.Contains("already Completed", refused.Message);
        await Assert.ThrowsAsync<IncidentFinishedException>(() => AppendAsync(cancelled));

        Assert.Equal(1, await _database.HandlerRowsAsync(active));
        Assert.Equal(0, await _database.HandlerRowsAsync(completed));
        Assert.Equal(0, await _database.HandlerRowsAsync(cancelled));
    }

    [Fact]
    public async Task A_step_whose_check_meets_an_end_being_written_waits_for_it_and_is_refused_once_it_commits()
    {
        var incident = await IncidentAsync("Active");

        // The incident's end, written and not committed yet: it holds the incident's row.
        await using var finishing = await _source.OpenConnectionAsync();
        await using var end = await finishing.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand("UPDATE owf_incident SET status = 'Completed' WHERE incident_id = @id", finishing, end))
        {
            update.Parameters.AddWithValue("id", incident);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        var append = AppendAsync(incident);
        // The step's check waits for the end's row: it is not done while the end is under way.
        await Eventually.UntilAsync(() => _database.CountAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"),
            waiting => waiting == 1, Patience, "the step's check to wait for the incident's row");
        Assert.False(append.IsCompleted);

        await end.CommitAsync();
        await Assert.ThrowsAsync<IncidentFinishedException>(() => append.WaitAsync(Patience));
        Assert.Equal(0, await _database.HandlerRowsAsync(incident));
    }

    private async Task<Guid> IncidentAsync(string status)
    {
        var id = Guid.NewGuid();
        await using var insert = _source.CreateCommand("""
            INSERT INTO owf_incident (service_id, incident_id, name, kind, incident_date, status, created_at, updated_at)
            VALUES (@service, @id, 'fence', 'TEST', now(), @status, now(), now())
            """);
        insert.Parameters.AddWithValue("service", _cluster.ServiceId);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("status", status);
        await insert.ExecuteNonQueryAsync();
        return id;
    }

    private Task AppendAsync(Guid incident)
    {
        var now = DateTimeOffset.UtcNow;
        return _journal.AppendAsync(incident, "test_record", new JournalEntry(1, Guid.NewGuid().ToString(), ["{}"], null, []),
            new HandledStep("client", now, now, []), refuseEarlierRow: false);
    }
}
