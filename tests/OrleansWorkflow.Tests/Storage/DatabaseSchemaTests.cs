using OrleansWorkflow.Storage;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Storage;

public sealed class DatabaseSchemaTests
{
    [Fact]
    public async Task A_database_without_the_schema_is_refused_with_the_command_that_creates_it()
    {
        await using var database = await TestDatabase.CreateAsync(withSchema: false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DatabaseSchema.VerifyAsync(database.ConnectionString));

        Assert.Contains("has no OrleansWorkflow schema", error.Message);
        Assert.Contains("setup-database", error.Message);
    }

    [Fact]
    public async Task Applying_the_schema_twice_leaves_a_complete_schema()
    {
        await using var database = await TestDatabase.CreateAsync(withSchema: false);

        await DatabaseSchema.ApplyAsync(database.AdminConnectionString);
        await DatabaseSchema.ApplyAsync(database.AdminConnectionString);
        await DatabaseSchema.VerifyAsync(database.ConnectionString);

        Assert.Equal(20, await database.CountAsync("SELECT count(*) FROM orleansquery"));
    }

    [Fact]
    public async Task An_unreachable_database_is_named_with_how_to_start_it()
    {
        var unreachable = $"Host=127.0.0.1;Port={TestServices.FreePort()};Username=postgres;Password=hunter2;Database=nowhere;Timeout=3";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DatabaseSchema.VerifyAsync(unreachable));

        Assert.Contains("Cannot reach PostgreSQL database \"nowhere\"", error.Message);
        Assert.Contains("scripts/services.sh up", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }
}
