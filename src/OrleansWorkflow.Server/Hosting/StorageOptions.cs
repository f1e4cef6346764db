using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Hosting;

/// <summary>Where the engine keeps its state. Bound from the "Storage" configuration section.</summary>
public sealed class StorageOptions : IValidatedSettings
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Storage";

    /// <summary>The PostgreSQL connection string (Npgsql format) of the engine's database. Required.</summary>
    public string PostgreSql { get; set; } = "";

    /// <summary>
    /// The connection string the Orleans providers use. The providers open and close a pooled connection for every
    /// read and write; Npgsql's default reset on close (DISCARD ALL) would also throw away the server's cached plans
    /// of the state write function, re-planning it every time. The engine keeps no session state, so it skips the reset.
    /// </summary>
    public string ProviderConnectionString =>
        new Npgsql.NpgsqlConnectionStringBuilder(PostgreSql) { NoResetOnClose = true, MaxAutoPrepare = 32, AutoPrepareMinUsages = 2 }.ConnectionString;

    /// <inheritdoc />
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(PostgreSql))
        {
            yield return "Storage:PostgreSql is not set; set the PostgreSQL connection string of the engine's database (OWF_Storage__PostgreSql), like Host=127.0.0.1;Port=5432;Username=owf;Password=...;Database=orleans_workflow.";
            yield break;
        }
        string? invalid = null;
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(PostgreSql);
        }
        catch (ArgumentException e)
        {
            invalid = e.Message;
        }
        if (invalid is not null)
            yield return $"Storage:PostgreSql is not a PostgreSQL connection string ({invalid}); write it like Host=127.0.0.1;Port=5432;Username=owf;Database=orleans_workflow.";
    }
}
