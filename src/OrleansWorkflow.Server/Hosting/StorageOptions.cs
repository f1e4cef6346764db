using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Hosting;

/// <summary>Where the engine keeps its state. Bound from the "Storage" configuration section.</summary>
public sealed class StorageOptions : IValidatedOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Storage";

    /// <summary>The configuration key of <paramref name="property"/>: the one place its name is written is the property itself.</summary>
    private static string Key(string property) => $"{Section}:{property}";

    /// <summary>The PostgreSQL connection string (Npgsql format) of the engine's database. Required.</summary>
    public string PostgreSql { get; set; } = "";

    /// <summary>
    /// The connection string the Orleans providers use (grain state, reminders, membership). The providers open and
    /// close a pooled connection for every read and write; Npgsql's default reset on close (DISCARD ALL) would also
    /// throw away the server's cached plans of the state write function, re-planning it every time. The engine keeps
    /// no session state, so it skips the reset. Its pool is half of <c>Maximum Pool Size</c>.
    /// </summary>
    public string ProviderConnectionString => Pooled(providers: true);

    /// <summary>
    /// The connection string of the engine's own tables (journals, catalog): the other half of <c>Maximum Pool Size</c>.
    /// The Orleans providers and the engine keep a pool each, so together they open at most the <c>Maximum Pool Size</c>
    /// the operator sized the server's <c>max_connections</c> for, not twice that.
    /// </summary>
    /// <remarks>Its errors name the batched command that failed, so that one handler's conflicting write fails alone in a
    /// transaction it shares with others (the command is never logged).</remarks>
    public string JournalConnectionString =>
        new Npgsql.NpgsqlConnectionStringBuilder(Pooled(providers: false)) { IncludeFailedBatchedCommand = true }.ConnectionString;

    private string Pooled(bool providers)
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(PostgreSql) { NoResetOnClose = true, MaxAutoPrepare = 32, AutoPrepareMinUsages = 2 };
        var providersShare = connection.MaxPoolSize / 2;
        connection.MaxPoolSize = providers ? providersShare : connection.MaxPoolSize - providersShare;
        connection.MinPoolSize = Math.Min(connection.MinPoolSize, connection.MaxPoolSize);
        return connection.ConnectionString;
    }

    /// <inheritdoc />
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(PostgreSql))
        {
            yield return $"{Key(nameof(PostgreSql))} is not set; set the PostgreSQL connection string of the engine's database (OWF_Storage__PostgreSql), like Host=127.0.0.1;Port=5432;Username=owf;Password=...;Database=orleans_workflow.";
            yield break;
        }
        string? invalid = null;
        var maxPoolSize = 0;
        try
        {
            maxPoolSize = new Npgsql.NpgsqlConnectionStringBuilder(PostgreSql).MaxPoolSize;
        }
        catch (ArgumentException e)
        {
            invalid = e.Message;
        }
        if (invalid is not null)
            yield return $"{Key(nameof(PostgreSql))} is not a PostgreSQL connection string ({invalid}); write it like Host=127.0.0.1;Port=5432;Username=owf;Database=orleans_workflow.";
        else if (maxPoolSize < 2)
            yield return $"{Key(nameof(PostgreSql))} has Maximum Pool Size={maxPoolSize}; the engine needs at least 2 connections (one for Orleans' providers, one for its journals). Leave it out (100) or set it to the connections this silo may open.";
    }
}
