using System.Diagnostics;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class DatabaseFailoverCollection
{
    public const string Name = "database failover";
}

/// <summary>
/// Two silos on a PostgreSQL primary with a synchronous standby, their connection string naming both: the primary
/// killed with SIGKILL while 100 fire incidents run, the standby promoted. Every commit the engine acted on reached the
/// standby before it was acknowledged, so the silos carry on from the new primary without a restart.
/// </summary>
[Collection(DatabaseFailoverCollection.Name)]
public sealed class DatabaseFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_primary_killed_and_a_synchronous_standby_promoted_while_100_fire_incidents_run_loses_and_repeats_nothing()
    {
        await using var postgres = await PostgresWithStandby.StartAsync(synchronous: true);
        await using var broker = await TestVirtualHost.CreateAsync();
        var serviceId = $"owf_failover_{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string> { ["OWF_Cluster__Membership"] = "postgresql", ["OWF_Fire__WorkTime"] = "00:00:00.200" };
        await using var first = await SiloProcess.StartAsync(postgres.ConnectionString, serviceId, broker, settings);
        await using var second = await SiloProcess.StartAsync(postgres.ConnectionString, serviceId, broker, settings);
        await using var client = await first.ConnectAsync(membershipDatabase: postgres.ConnectionString);

        var incidents = await FireLoad.StartAsync(client, 100);
        await FireLoad.WaitUntilAtWorkAsync(first, TimeSpan.FromSeconds(60));
        var completedBeforeKill = await FireLoad.CompletedAsync(client, incidents);
        await postgres.KillPrimaryAsync();
        var killed = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await postgres.PromoteStandbyAsync();
        var promotedAfter = killed.Elapsed;
        IncidentInfo[] ends;
        try
        {
            ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        }
        catch (TimeoutException)
        {
            output.WriteLine($"first silo:\n{first.Log}\nsecond silo:\n{second.Log}");
            throw;
        }
        output.WriteLine($"{completedBeforeKill} of 100 completed just before the kill; standby promoted {promotedAfter.TotalSeconds:0.0} s after it; " +
                         $"the last incident ended {killed.Elapsed.TotalSeconds:0.0} s after the kill");

        Assert.True(completedBeforeKill < 100, "every incident had completed before the kill: it hit no work in flight");
        await FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, ends);
        Assert.All(ends, end => Assert.Equal(IncidentStatus.Completed, end.Status));
    }
}
