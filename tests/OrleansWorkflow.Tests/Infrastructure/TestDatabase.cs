using Npgsql;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>A fresh PostgreSQL database on the test server, dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The login every engine of the tests uses: a member of the schema's engine role, no superuser.</summary>
    public const string EngineLogin = "owf_test_engine";

    private static readonly Lazy<Task> EngineLoginCreated = new(() => AdminAsync($$"""
        DO $login$
        BEGIN
            BEGIN
                CREATE ROLE {{DatabaseSchema.EngineRole}} NOLOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END;
            BEGIN
                CREATE ROLE {{EngineLogin}} LOGIN IN ROLE {{DatabaseSchema.EngineRole}};
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END;
        END
        $login$
        """));

    private TestDatabase(string name)
    {
        Name = name;
        AdminConnectionString = new NpgsqlConnectionStringBuilder(TestServices.PostgresAdmin) { Database = name, Pooling = true }.ConnectionString;
        ConnectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Username = EngineLogin }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>How the engine connects: as <see cref="EngineLogin"/>, with only the grants setup-database gives its role.</summary>
    public string ConnectionString { get; }

    /// <summary>As the server's superuser, who created the database: for setup-database and checks of the grants.</summary>
    public string AdminConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(bool withSchema = true)
    {
        var database = new TestDatabase($"owf_test_{Guid.NewGuid():N}");
        await EngineLoginCreated.Value;
        await AdminAsync($"CREATE DATABASE {database.Name}");
        if (withSchema)
            await DatabaseSchema.ApplyAsync(database.AdminConnectionString);
        return database;
    }

    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>State rows (cleared ones included) of the grains keyed by <paramref name="key"/>, of one state name.</summary>
    public Task<long> StateRowsAsync(Guid key, string stateName)
    {
        var bytes = key.ToByteArray();
        return CountAsync("SELECT count(*) FROM owf_grain_state WHERE grain_id_n0 = @n0 AND grain_id_n1 = @n1 AND state_name = @state",
            ("n0", BitConverter.ToInt64(bytes, 0)), ("n1", BitConverter.ToInt64(bytes, 8)), ("state", stateName));
    }

    /// <summary>What the incident's handlers stored: state rows of earlier versions plus journal entries.</summary>
    public async Task<long> HandlerRowsAsync(Guid incidentId) =>
        await StateRowsAsync(incidentId, "handler")
        + await CountAsync("SELECT count(*) FROM owf_handler_step WHERE incident_id = @id", ("id", incidentId));

    /// <summary>
    /// The incident's handlers' working data: state rows of earlier versions plus journal entries that still hold
    /// documents, effects or joins (the entries themselves are the incident's steps and stay).
    /// </summary>
    public async Task<long> HandlerDataAsync(Guid incidentId) =>
        await StateRowsAsync(incidentId, "handler")
        + await CountAsync("SELECT count(*) FROM owf_handler_step WHERE incident_id = @id AND (cardinality(documents) > 0 OR outbox IS NOT NULL OR joins IS NOT NULL)",
            ("id", incidentId));

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        // The admin key of the silos that ran on it (kept in this database) goes with it; the next silo on it would find none.
        File.Delete(SiloProcess.AdminKeyFileOf(Name));
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestServices.PostgresAdmin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
