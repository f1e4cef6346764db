using Npgsql;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>A fresh PostgreSQL database on the test server, dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name)
    {
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(TestServices.PostgresAdmin) { Database = name, Pooling = true }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(bool withSchema = true)
    {
        var database = new TestDatabase($"owf_test_{Guid.NewGuid():N}");
        await AdminAsync($"CREATE DATABASE {database.Name}");
        if (withSchema)
            await DatabaseSchema.ApplyAsync(database.ConnectionString);
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

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestServices.PostgresAdmin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
