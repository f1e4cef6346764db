using System.Diagnostics;
using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;
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

        var incidents = new List<Guid>();
        for (var i = 0; i < 100; i++)
            incidents.Add(await client.CreateIncident($"fire {i}", "FIRE"));
        foreach (var incident in incidents)
            foreach (var queue in FireWorkflow.Entry)
                await client.Send(queue, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString(), ["data"] = "some data" });
        await client.FlushMessages();

        await database.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(30));
        var completedDuringOutage = 0;
        foreach (var incident in incidents)
            completedDuringOutage += (await client.GetIncident(incident)).Status == IncidentStatus.Completed ? 1 : 0;
        await database.StartAgainAsync();
        var recovery = Stopwatch.StartNew();

        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        output.WriteLine($"{completedDuringOutage} of 100 completed by the end of the outage; all done {recovery.Elapsed.TotalSeconds:0.0} s after PostgreSQL came back");

        Assert.True(completedDuringOutage < 100, "every incident finished before the outage: the test proved nothing");
        Assert.All(ends, end => Assert.Equal(IncidentStatus.Completed, end.Status));
        foreach (var incident in incidents)
            FireCounts.AssertHandledExactlyOnce(incident, await client.GetSteps(incident));
        foreach (var queue in FireCounts.HandledPerIncident.Keys)
            Assert.Equal(0u, await broker.CountAsync(WireContract.DeadLetterQueue(queue)));
        // The consumers paused with backoff: the outage is told once when it starts and once when it ends.
        var log = silo.Log.Split('\n');
        Assert.Single(log, line => line.Contains("Deliveries are failing"));
        Assert.Single(log, line => line.Contains("Deliveries succeed again"));
    }
}
