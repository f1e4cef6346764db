using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class SiloKillCollection
{
    public const string Name = "fault-silo-kill";
}

/// <summary>Two real engine silo processes in one cluster; one is killed with SIGKILL while the incidents run.</summary>
[Collection(SiloKillCollection.Name)]
public sealed class SiloKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_one_of_two_silos_while_100_fire_incidents_run_loses_and_repeats_nothing()
    {
        var settings = new Dictionary<string, string> { ["OWF_Cluster__Membership"] = "postgresql", ["OWF_Fire__WorkTime"] = "00:00:00.200",
            // The test host then logs each handler start with its incident.
            ["OWF_Logging__LogLevel__OrleansWorkflow.Tests.FaultInjection"] = "Debug" };
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var survivor = await SiloProcess.StartAsync(database, broker, settings);
        await using var victim = await SiloProcess.StartAsync(database, broker, settings);
        await using var client = await survivor.ConnectAsync(membershipDatabase: database.ConnectionString);
        await Eventually.UntilAsync(client.GetSilos, s => s.Values.Count(v => v == "Active") == 2, TimeSpan.FromSeconds(60), "both silos to be active");

        var incidents = await FireLoad.StartAsync(client, 100);
        await FireLoad.WaitUntilAtWorkAsync(victim, TimeSpan.FromSeconds(30));
        // Read just before the kill: an incident unfinished then, whose messages the victim handled, was its work in
        // flight. (Read after the kill, an incident the survivor took over at once may have finished already.)
        var unfinishedAtKill = (await Task.WhenAll(incidents.Select(client.GetIncident))).Where(i => !i.Status.IsFinished()).Select(i => i.IncidentId).ToHashSet();
        await victim.KillAsync();
        var hitByTheKill = IncidentsHandledIn(victim).Where(unfinishedAtKill.Contains).ToList();

        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        output.WriteLine($"victim ran {FireLoad.HandlerRuns(victim)} handler steps before SIGKILL, the survivor {FireLoad.HandlerRuns(survivor)}; " +
                         $"{unfinishedAtKill.Count} of 100 unfinished at the kill, {hitByTheKill.Count} of them with handlers run by the victim");

        Assert.True(hitByTheKill.Count > 0, $"the kill hit no incident the victim had worked on ({unfinishedAtKill.Count} unfinished): the test proved nothing");
        await FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, ends);
    }

    /// <summary>The incidents whose handlers ran in the silo, from its test host's log ("Handler … starts on message … of incident …").</summary>
    private static IEnumerable<Guid> IncidentsHandledIn(SiloProcess silo) =>
        System.Text.RegularExpressions.Regex.Matches(silo.Log, @"Handler \S+ starts on message \S+ of incident (?<id>[0-9a-f-]{36})")
            .Select(m => Guid.Parse(m.Groups["id"].Value)).Distinct();
}
