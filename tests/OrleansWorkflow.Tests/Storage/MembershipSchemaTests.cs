using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Storage;

/// <summary>The membership functions keep the contract's all-or-nothing rule: a refused change leaves the version as it was.</summary>
public sealed class MembershipSchemaTests
{
    private const string Insert = "SELECT owf_insert_member('c', '127.0.0.1', 11111, @generation, 'silo', 'host', 3, 30000, now(), now(), @version)::int";
    private const string Update = "SELECT owf_update_member('c', '127.0.0.1', 11111, @generation, 6, NULL, now(), @version)::int";
    private const string Version = "SELECT version FROM owf_membership_version WHERE deployment_id = 'c'";

    [Fact]
    public async Task A_silo_joins_only_at_the_version_read_and_a_refusal_changes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.CountAsync("INSERT INTO owf_membership_version (deployment_id) VALUES ('c')");

        Assert.Equal(1, await database.CountAsync(Insert, ("generation", 1), ("version", 0)));
        Assert.Equal(0, await database.CountAsync(Insert, ("generation", 2), ("version", 0))); // stale version
        Assert.Equal(0, await database.CountAsync(Insert, ("generation", 1), ("version", 1))); // same silo again
        Assert.Equal(1, await database.CountAsync(Version));
        Assert.Equal(1, await database.CountAsync("SELECT count(*) FROM owf_membership"));
    }

    [Fact]
    public async Task A_status_change_needs_the_current_version_and_an_existing_silo()
    {
        await using var database = await TestDatabase.CreateAsync();
        await database.CountAsync("INSERT INTO owf_membership_version (deployment_id) VALUES ('c')");
        await database.CountAsync(Insert, ("generation", 1), ("version", 0));

        Assert.Equal(0, await database.CountAsync(Update, ("generation", 1), ("version", 0))); // stale version
        Assert.Equal(0, await database.CountAsync(Update, ("generation", 9), ("version", 1))); // no such silo
        Assert.Equal(1, await database.CountAsync(Version));
        Assert.Equal(1, await database.CountAsync(Update, ("generation", 1), ("version", 1)));
        Assert.Equal(2, await database.CountAsync(Version));
        Assert.Equal(6, await database.CountAsync("SELECT status FROM owf_membership"));
    }
}
