using System.Diagnostics;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class DatabaseOutageCollection
{
    public const string Name = "fault-database";
}

/// <summary>A real owf-silo on a PostgreSQL server of the test's own, which the test stops for 30 s mid-run.</summary>
[Collection(DatabaseOutageCollection.Name)]
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PostgreSQL_stopped_for_30_seconds_while_100_fire_incidents_run_loses_and_repeats_nothing()
    {
        await using var database = await PrivatePostgres.StartAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database.ConnectionString, database.Name, broker,
            new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = "00:00:00.200" });
        await using var client = await silo.ConnectAsync();

        var incidents = await FireLoad.StartAsync(client, 100);

        await database.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(30));
        var completedDuringOutage = await FireLoad.CompletedAsync(client, incidents);
        await database.StartAgainAsync();
        var recovery = Stopwatch.StartNew();

        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        output.WriteLine($"{completedDuringOutage} of 100 completed by the end of the outage; all done {recovery.Elapsed.TotalSeconds:0.0} s after PostgreSQL came back");

        Assert.True(completedDuringOutage < 100, "every incident finished before the outage: the test proved nothing");
        await FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, ends);
        // The consumers paused with backoff: the outage is told once when it starts and once when it ends.
        var log = silo.Log.Split('\n');
        Assert.Single(log, line => line.Contains("Deliveries are failing"));
        Assert.Single(log, line => line.Contains("Deliveries succeed again"));
    }
}
