using System.Diagnostics;
using Npgsql;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Bench;

/// <summary>
/// A fresh database (owf_bench) with the engine's schema and a fresh RabbitMQ virtual host (owf-bench) on the
/// services scripts/services.sh started, so every scenario of a run starts from the same empty state.
/// </summary>
public sealed class BenchEnvironment
{
    public const string Name = "owf_bench";
    private const string VirtualHost = "owf-bench";

    private static string Admin => Environment.GetEnvironmentVariable("OWF_POSTGRES_ADMIN") ?? "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public string Database { get; } = new NpgsqlConnectionStringBuilder(Admin) { Database = Name, MaxPoolSize = 200, NoResetOnClose = true, MaxAutoPrepare = 32, AutoPrepareMinUsages = 2 }.ConnectionString;
    private readonly Lazy<NpgsqlDataSource> _database;

    public BenchEnvironment() => _database = new(() => NpgsqlDataSource.Create(Database));

    public string BrokerUri { get; } = $"amqp://guest:guest@127.0.0.1:5672/{VirtualHost}";

    public static async Task<BenchEnvironment> CreateAsync()
    {
        await AdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        await AdminAsync($"CREATE DATABASE {Name}");
        var environment = new BenchEnvironment();
        await DatabaseSchema.ApplyAsync(environment.Database);
        await environment.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
        await environment.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        if (await environment.StatementsAsync() is null)
            Console.WriteLine("[bench] the server does not track statements (pg_stat_statements is not in shared_preload_libraries): " +
                              "statements per message are not measured; restart PostgreSQL with scripts/services.sh (down postgres, then up)");
        await RabbitMqCtlAsync(allowFailure: true, "delete_vhost", VirtualHost);
        await RabbitMqCtlAsync(allowFailure: false, "add_vhost", VirtualHost);
        await RabbitMqCtlAsync(allowFailure: false, "set_permissions", "-p", VirtualHost, "guest", ".*", ".*", ".*");
        return environment;
    }

    /// <summary>
    /// The next transaction id of the server: every committed (or aborted) write transaction takes one, read-only ones
    /// do not, and reading it takes none. The project's PostgreSQL serves only this run, so the difference between
    /// two readings counts the run's writing transactions at once (pg_stat_database lags by up to 10 s).
    /// </summary>
    public async Task<long> CommitsAsync() => (long)(await ScalarAsync("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"))!;

    /// <summary>
    /// The SQL statements the server ran in the bench database so far, as pg_stat_statements counts them (top-level
    /// statements: each command of a batch is one, a function's inner queries are not), without the bench's own
    /// readings; null when the server does not track statements.
    /// </summary>
    public async Task<long?> StatementsAsync()
    {
        try
        {
            return Convert.ToInt64(await ScalarAsync("""
                SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
                 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_current_snapshot%'
                """));
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.ObjectNotInPrerequisiteState or PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    /// <summary>The server's current WAL insert position (pg_current_wal_lsn).</summary>
    public async Task<string> WalPositionAsync() => (string)(await ScalarAsync("SELECT pg_current_wal_lsn()::text"))!;

    /// <summary>
    /// What the server wrote to its WAL since <paramref name="position"/>: the records' own bytes (every row written,
    /// with its indexes) and the full-page images. The images depend on when the last checkpoint was (the first change
    /// of a page after one logs the whole page), not on the work, so the records are what compares two runs.
    /// </summary>
    public async Task<(long Records, long FullPages)> WalBytesSinceAsync(string position)
    {
        await using var command = Command(
            "SELECT coalesce(sum(record_size), 0)::bigint, coalesce(sum(fpi_size), 0)::bigint FROM pg_get_wal_stats(@start::pg_lsn, pg_current_wal_lsn())",
            [("start", position)]);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters) =>
        Convert.ToInt64(await ScalarAsync(sql, parameters));

    private async Task ExecuteAsync(string sql)
    {
        await using var command = Command(sql, []);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteScalarAsync();
    }

    private NpgsqlCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        var command = _database.Value.CreateCommand(sql);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task RabbitMqCtlAsync(bool allowFailure, params string[] arguments)
    {
        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-q");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 && !allowFailure)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed: {error.Trim()}. Is RabbitMQ running (scripts/services.sh up)?");
    }
}
