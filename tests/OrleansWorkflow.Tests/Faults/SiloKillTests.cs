using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class SiloKillCollection
{
    public const string Name = "fault-silo-kill";
}

/// <summary>Two real owf-silo processes in one cluster; one is killed with SIGKILL while the incidents run.</summary>
[Collection(SiloKillCollection.Name)]
public sealed class SiloKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_one_of_two_silos_while_100_fire_incidents_run_leaves_every_incident_completed()
    {
        var settings = new Dictionary<string, string> { ["OWF_Cluster__Membership"] = "postgresql", ["OWF_Fire__WorkTime"] = "00:00:00" };
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var survivor = await SiloProcess.StartAsync(database, broker, settings);
        await using var victim = await SiloProcess.StartAsync(database, broker, settings);
        await using var client = await survivor.ConnectAsync(membershipDatabase: database.ConnectionString);
        await Eventually.UntilAsync(client.GetSilos, s => s.Values.Count(v => v == "Active") == 2, TimeSpan.FromSeconds(60), "both silos to be active");

        var incidents = await FireLoad.StartAsync(client, 100);
        await FireLoad.WaitUntilAtWorkAsync(victim, TimeSpan.FromSeconds(30));
        await victim.KillAsync();
        var recovery = System.Diagnostics.Stopwatch.StartNew();

        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        output.WriteLine($"victim ran {FireLoad.HandlerRuns(victim)} handler steps before SIGKILL, the survivor {FireLoad.HandlerRuns(survivor)}; " +
                         $"all 100 completed {recovery.Elapsed.TotalSeconds:0.0} s after the kill");

        Assert.All(ends, end => Assert.Equal(IncidentStatus.Completed, end.Status));
        await FireLoad.AssertNothingDeadLetteredAsync(broker);
    }
}
