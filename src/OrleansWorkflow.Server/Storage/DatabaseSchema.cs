using Npgsql;

namespace OrleansWorkflow.Storage;

/// <summary>The engine's PostgreSQL schema: applied by the setup step, checked before a silo starts.</summary>
internal static class DatabaseSchema
{
    /// <summary>The command that creates the schema, named in every error that finds it missing.</summary>
    public const string SetupCommand = "owf-silo setup-database (or ./scripts/services.sh up, which runs it)";

    private static readonly string[] RequiredQueryKeys =
    [
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "UpsertReminderRowKey", "DeleteReminderRowKey", "DeleteReminderRowsKey",
        "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "InsertMembershipVersionKey", "UpdateIAmAlivetimeKey",
        "InsertMembershipKey", "UpdateMembershipKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
    ];

    private static readonly (string Table, string What)[] RequiredTables =
    [
        ("owf_incident", "the incident catalog table"),
        ("owf_handler_step", "the handler journal table"),
        ("owf_incident_step", "the incident step table"),
        ("owf_incident_dead_letter", "the dead-letter record table"),
        ("owf_held_message", "the held message table"),
    ];

    private static readonly (string Table, string Column)[] RequiredColumns =
    [
        ("owf_incident", "purged_at"),
        ("owf_incident", "workflow_version"),
    ];

    // Any constant will do: it only keeps two setup runs from interleaving their DDL.
    private const long SetupLockId = 0x6F77665F736368;

    /// <summary>The engine's PostgreSQL schema script (idempotent), as ApplyAsync runs it.</summary>
    public static string Script()
    {
        using var stream = typeof(DatabaseSchema).Assembly.GetManifestResourceStream("OrleansWorkflow.Schema.postgresql.sql")
            ?? throw new InvalidOperationException("The schema script is not embedded in OrleansWorkflow.Server; the build is broken.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Creates what is missing and refreshes the query texts. Safe to run any number of times, also concurrently.</summary>
    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(connectionString, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SetupLockId})", connection, transaction))
            await take.ExecuteNonQueryAsync(cancellationToken);
        await using (var apply = new NpgsqlCommand(Script(), connection, transaction))
            await apply.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Throws, saying how to fix it, when the database is unreachable or lacks the schema.</summary>
    public static async Task VerifyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(connectionString, cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT querykey FROM orleansquery WHERE querykey = ANY(@keys)", connection);
        command.Parameters.AddWithValue("keys", RequiredQueryKeys);
        var present = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                present.Add(reader.GetString(0));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            throw new InvalidOperationException(
                $"Database {Describe(connectionString)} has no OrleansWorkflow schema (table orleansquery is missing). Create it with {SetupCommand}.", e);
        }

        var missing = RequiredQueryKeys.Where(k => !present.Contains(k)).ToList();
        foreach (var (table, what) in RequiredTables)
            await using (var exists = new NpgsqlCommand($"SELECT to_regclass('{table}') IS NOT NULL", connection))
                if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
                    missing.Add($"{what} {table}");
        foreach (var (table, column) in RequiredColumns)
            await using (var exists = new NpgsqlCommand(
                "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = @table AND column_name = @column)", connection)
                { Parameters = { new("table", table), new("column", column) } })
                if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
                    missing.Add($"the column {table}.{column}");
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"Database {Describe(connectionString)} has an incomplete OrleansWorkflow schema (missing: {string.Join(", ", missing)}). Update it with {SetupCommand}.");
    }

    /// <summary>The role the engine's logins belong to: rows and functions of the schema, nothing more.</summary>
    public const string EngineRole = "owf_engine";

    /// <summary>A warning when <paramref name="connectionString"/> logs in as a superuser, which the engine never needs; otherwise null.</summary>
    public static async Task<string?> PrivilegeWarningAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(connectionString, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || !reader.GetBoolean(1))
            return null;
        return $"The engine connects to PostgreSQL as {reader.GetString(0)}, a superuser: a silo needs only the rows of its schema. " +
            $"Create a login in the role {EngineRole} (CREATE ROLE owf LOGIN PASSWORD '...' IN ROLE {EngineRole}) and put it in Storage:PostgreSql; keep the superuser for setup-database.";
    }

    /// <summary>The connection string without its password, for messages and logs.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"\"{builder.Database}\" on {builder.Host}:{builder.Port} as {builder.Username}";
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException(
                $"Cannot reach PostgreSQL database {Describe(connectionString)}: {e.GetBaseException().Message}. " +
                "Start it (./scripts/services.sh up starts a local one) or set the connection string in Storage:PostgreSql / OWF_Storage__PostgreSql.", e);
        }
    }
}
