using Npgsql;
using OrleansWorkflow.Storage;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Storage;

/// <summary>
/// setup-database leaves an engine role with only the grants a silo needs; every engine of the tests connects as a
/// login in it (<see cref="TestDatabase.EngineLogin"/>), so the whole suite proves those grants suffice.
/// </summary>
public sealed class LeastPrivilegeTests
{
    [Fact]
    public async Task The_engine_role_reads_and_writes_rows_but_changes_no_schema_and_no_query_text()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var engine = new NpgsqlConnection(database.ConnectionString);
        await engine.OpenAsync();

        Assert.Equal(TestDatabase.EngineLogin, await ScalarAsync(engine, "SELECT current_user"));
        Assert.Equal(false, await ScalarAsync(engine, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
        Assert.Equal(0L, await ScalarAsync(engine, "SELECT count(*) FROM owf_grain_state"));
        Assert.Equal(1, await ExecuteAsync(engine,
            "INSERT INTO owf_incident (service_id, incident_id, name, kind, incident_date, status, created_at, updated_at) VALUES ('s', gen_random_uuid(), 'n', 'k', now(), 'Pending', now(), now())"));
        Assert.Equal(1, await ExecuteAsync(engine, "DELETE FROM owf_incident WHERE service_id = 's'"));

        foreach (var refused in new[]
        {
            "CREATE TABLE intruder (x int)",
            "ALTER TABLE owf_incident ADD COLUMN intruder int",
            "DROP TABLE owf_grain_state",
            "UPDATE orleansquery SET querytext = 'SELECT 1'",
            "TRUNCATE owf_membership",
        })
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(engine, refused));
            Assert.True(error.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{refused}: {error.SqlState} {error.MessageText}");
        }
        Assert.Null(await DatabaseSchema.PrivilegeWarningAsync(database.ConnectionString));
    }

    [Fact]
    public async Task Connected_as_the_superuser_the_engine_is_warned_with_how_to_make_its_login()
    {
        await using var database = await TestDatabase.CreateAsync();

        var warning = await DatabaseSchema.PrivilegeWarningAsync(database.AdminConnectionString);

        Assert.NotNull(warning);
        Assert.Contains("a superuser", warning);
        Assert.Contains($"IN ROLE {DatabaseSchema.EngineRole}", warning);
    }

    [Fact]
    public async Task Psql_du_shows_the_engine_login_as_a_member_of_the_engine_role_and_neither_as_superuser()
    {
        await using var database = await TestDatabase.CreateAsync();
        var admin = new NpgsqlConnectionStringBuilder(database.AdminConnectionString);

        var roles = await TestServices.RunAsync("psql", "-h", admin.Host!, "-p", admin.Port.ToString(), "-U", admin.Username!, "-d", database.Name, "-c", @"\du");

        var engineRole = roles.Split('\n').Single(line => line.TrimStart().StartsWith(DatabaseSchema.EngineRole + " "));
        Assert.Contains("Cannot login", engineRole);
        Assert.DoesNotContain("Superuser", engineRole);
        var login = roles.Split('\n').Single(line => line.TrimStart().StartsWith(TestDatabase.EngineLogin + " "));
        Assert.DoesNotContain("Superuser", login);
        Assert.Contains(DatabaseSchema.EngineRole, login); // "Member of {owf_engine}"
        Assert.Contains("owf_owner", roles);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }
}
