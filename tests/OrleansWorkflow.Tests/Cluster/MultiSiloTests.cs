using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Tests.Faults;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Cluster;

[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}

/// <summary>Real owf-silo processes forming one cluster through the PostgreSQL membership table.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MultiSiloTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["OWF_Cluster__Membership"] = "postgresql",
        ["OWF_Fire__WorkTime"] = "00:00:00.020",
    };

    [Fact]
    public async Task Two_silos_on_postgresql_membership_form_one_cluster_and_share_the_work_of_100_fire_incidents()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var first = await SiloProcess.StartAsync(database, broker, Settings);
        await using var second = await SiloProcess.StartAsync(database, broker, Settings);
        await using var client = await first.ConnectAsync(membershipDatabase: database.ConnectionString);

        var silos = await Eventually.UntilAsync(client.GetSilos, s => s.Values.Count(v => v == "Active") == 2,
            TimeSpan.FromSeconds(60), "both silos to be active members");
        Assert.Equal(2, await database.CountAsync("SELECT count(*) FROM owf_membership WHERE status = 3"));

        var incidents = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Examples.StartFireAsync(client)));
        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));

        Assert.All(ends, end => Assert.Equal(IncidentStatus.Completed, end.Status));
        Assert.Equal(2, silos.Count);
        // Each silo consumes every queue, so both took messages of these incidents; where a handler grain runs is
        // Orleans' placement (resource-optimized by default, which may put a short run's activations on one silo).
        Assert.True(Deliveries(first) > 0, "the first silo consumed no message");
        Assert.True(Deliveries(second) > 0, "the second silo consumed no message");
        Assert.Equal(100 * 3, HandlerRuns(first) + HandlerRuns(second));
    }

    [Fact]
    public async Task A_silo_that_joins_while_100_fire_incidents_run_takes_over_from_one_that_leaves_and_nothing_is_lost_or_repeated()
    {
        var slow = new Dictionary<string, string>(Settings) { ["OWF_Fire__WorkTime"] = "00:00:01" };
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        // The leaving silo takes few deliveries at a time, so a backlog waits in the queues for the joining one to take.
        var leavingSettings = new Dictionary<string, string>(slow) { ["OWF_RabbitMQ__Prefetch"] = "4", ["OWF_RabbitMQ__ConsumerConcurrency"] = "4" };
        await using var leaving = await SiloProcess.StartAsync(database, broker, leavingSettings);
        await using var client = await leaving.ConnectAsync(membershipDatabase: database.ConnectionString);
        var incidents = await FireLoad.StartAsync(client, 100);

        await using var joining = await SiloProcess.StartAsync(database, broker, slow);
        // The joining silo consumes from every queue at once: its log has a line for each message it took.
        await Eventually.UntilAsync(() => Task.FromResult(joining.Log), log => log.Contains(": handled in ", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the joining silo to take work");
        var completedWhenLeaving = await FireLoad.CompletedAsync(client, incidents);
        await leaving.StopAsync(TimeSpan.FromSeconds(60));

        // The client's gateway may be the silo that left: it moves to the other one, meanwhile calls may fail.
        var ends = await Task.WhenAll(incidents.Select(i => Eventually.UntilAsync(() => InfoOrNullAsync(client, i),
            x => x?.Status is IncidentStatus.Completed or IncidentStatus.Cancelled or IncidentStatus.Error, TimeSpan.FromMinutes(3), $"incident {i} to end")));
        Assert.True(completedWhenLeaving < 100, "every incident finished before the first silo left: the test proved nothing");
        await FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, ends.Select(end => end!));
    }

    private static async Task<IncidentInfo?> InfoOrNullAsync(OrleansWorkflow.Client.WorkflowClient client, Guid incident)
    {
        try
        {
            return await client.GetIncident(incident);
        }
        catch (OrleansException)
        {
            return null;
        }
    }

    private static int Deliveries(SiloProcess silo) =>
        silo.Log.Split('\n').Count(line => line.Contains(": handled in ", StringComparison.Ordinal));

    private static int HandlerRuns(SiloProcess silo) =>
        silo.Log.Split('\n').Count(line => line == "In fire simulation handler");
}
