using Npgsql;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL primary and a streaming standby of one test's own (own directories and ports on 127.0.0.1), with the
/// engine's schema; the standby synchronous (every commit waits for it) or asynchronous. The engine's connection string
/// names both, for Npgsql to take the one that is primary.
/// </summary>
public sealed class PostgresWithStandby : IAsyncDisposable
{
    private const string Bin = PrivatePostgres.Bin;
    private const string StandbyName = "owf_standby";
    private readonly string _primary;
    private readonly string _standby;

    private PostgresWithStandby(string primary, string standby)
    {
        _primary = primary;
        _standby = standby;
        PrimaryPort = TestServices.FreePort();
        StandbyPort = TestServices.FreePort();
    }

    public int PrimaryPort { get; }
    public int StandbyPort { get; }

    /// <summary>Both servers, as the engine is given them: Npgsql connects to whichever is primary.</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1:{PrimaryPort},127.0.0.1:{StandbyPort};Username=postgres;Database=postgres;Target Session Attributes=primary;Timeout=5";

    public static async Task<PostgresWithStandby> StartAsync(bool synchronous)
    {
        var root = Path.Combine("/var/tmp/orleans-workflow", $"test-pg-pair-{Guid.NewGuid():N}");
        var pair = new PostgresWithStandby(Path.Combine(root, "primary"), Path.Combine(root, "standby"));
        Directory.CreateDirectory(root);
        await TestServices.RunAsync("chown", "postgres:postgres", root);
        await AsPostgresAsync($"{Bin}/initdb -D '{pair._primary}' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
        await File.AppendAllTextAsync(Path.Combine(pair._primary, "postgresql.conf"), $"""

            wal_level = replica
            max_wal_senders = 5
            synchronous_commit = on
            synchronous_standby_names = '{(synchronous ? StandbyName : "")}'

            """);
        await StartAsync(pair._primary, pair.PrimaryPort);
        await AsPostgresAsync($"{Bin}/pg_basebackup -h 127.0.0.1 -p {pair.PrimaryPort} -U postgres -D '{pair._standby}' -X stream -R");
        // Promoted, the standby is a primary of its own with no standby: it must not wait for one at each commit (it
        // would, with the primary's synchronous_standby_names that pg_basebackup copied, until every connection hangs).
        await File.AppendAllTextAsync(Path.Combine(pair._standby, "postgresql.auto.conf"),
            $"primary_conninfo = 'host=127.0.0.1 port={pair.PrimaryPort} user=postgres application_name={StandbyName}'\nsynchronous_standby_names = ''\n");
        await StartAsync(pair._standby, pair.StandbyPort);
        await Eventually.UntilAsync(() => pair.ReplicationStateAsync(), state => state == (synchronous ? "sync" : "async"),
            TimeSpan.FromSeconds(60), "the standby to stream from the primary");
        await DatabaseSchema.ApplyAsync(pair.ConnectionString);
        return pair;
    }

    /// <summary>The standby's sync_state as the primary sees it (null while it is not streaming).</summary>
    public async Task<string?> ReplicationStateAsync()
    {
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={PrimaryPort};Username=postgres;Database=postgres;Timeout=5");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT sync_state FROM pg_stat_replication WHERE application_name = '{StandbyName}'", connection);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>Kills the primary's postmaster with SIGKILL, as a crashed machine would; its backends end with it.</summary>
    public async Task KillPrimaryAsync()
    {
        var pid = (await File.ReadAllLinesAsync(Path.Combine(_primary, "postmaster.pid")))[0].Trim();
        await TestServices.RunAsync("kill", "-KILL", pid);
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Makes the standby the primary (pg_ctl promote), as the operator or the failover manager does.</summary>
    public Task PromoteStandbyAsync() => AsPostgresAsync($"{Bin}/pg_ctl -D '{_standby}' -w promote");

    private static Task StartAsync(string directory, int port) => PrivatePostgres.StartServerAsync(directory, port);

    private static Task AsPostgresAsync(string command) => PrivatePostgres.AsPostgresAsync(command);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var directory in new[] { _standby, _primary })
            try
            {
                await AsPostgresAsync($"{Bin}/pg_ctl -D '{directory}' -m immediate -w stop");
            }
            catch (InvalidOperationException)
            {
                // not running (killed by the test)
            }
        // A killed postmaster's backends end shortly after it; wait for them before the files go.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Directory.Delete(Path.GetDirectoryName(_primary)!, recursive: true);
    }
}
