using Npgsql;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of one test's own (its own cluster directory and port on 127.0.0.1), with the engine's schema,
/// that the test may stop and start without touching the server the other tests share.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    internal const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _directory;

    private PrivatePostgres(string directory, int port)
    {
        _directory = directory;
        Port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=5";
    }

    public int Port { get; }
    public string ConnectionString { get; }
    public string Name => $"owf_private_{Port}";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var directory = Path.Combine("/var/tmp/orleans-workflow", $"test-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        await TestServices.RunAsync("chown", "postgres:postgres", directory);
        await AsPostgresAsync($"{Bin}/initdb -D '{directory}' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8");
        var server = new PrivatePostgres(directory, TestServices.FreePort());
        await server.StartAgainAsync();
        await DatabaseSchema.ApplyAsync(server.ConnectionString);
        return server;
    }

    public Task StopAsync() => AsPostgresAsync($"{Bin}/pg_ctl -D '{_directory}' -m fast -w stop");

    public Task StartAgainAsync() => StartServerAsync(_directory, Port);

    /// <summary>Starts the server of <paramref name="directory"/> on 127.0.0.1:<paramref name="port"/> (its socket in the directory too).</summary>
    internal static Task StartServerAsync(string directory, int port) => AsPostgresAsync(
        $"{Bin}/pg_ctl -D '{directory}' -o '-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=200' -l '{directory}/log' -w start");

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Runs a shell command as the postgres user, as PostgreSQL's tools must run.</summary>
    internal static Task AsPostgresAsync(string command) => TestServices.RunAsync("su", "postgres", "-c", command);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }
        Directory.Delete(_directory, recursive: true);
    }
}
