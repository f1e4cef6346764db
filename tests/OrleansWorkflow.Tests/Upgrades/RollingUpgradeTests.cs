using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Upgrades;

/// <summary>
/// Silos of two releases in one cluster, as during a rolling upgrade. The test host's staged workflow (STAGED) sends
/// incidents of version 1 from staged_start to staged_old and those of version 2 to staged_new; a silo runs the
/// versions its Staged:Oldest and Staged:Newest name, so one build stands for both releases.
/// </summary>
[Collection(UpgradeCollection.Name)]
public sealed class RollingUpgradeTests(ITestOutputHelper output)
{
    private const string Kind = "STAGED";
    private const string Start = "staged_start", Old = "staged_old", New = "staged_new";
    private const int PerVersion = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Silos_of_versions_1_and_2_share_incidents_of_both_and_after_the_version_1_silo_stops_each_completes_once_on_its_own_path()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var siloA = await SiloProcess.StartAsync(database, broker, Release(newest: 1));
        await using var client = await siloA.ConnectAsync(membershipDatabase: database.ConnectionString);
        var first = await CreateAsync(client, "begun on release 1");
        await using var siloB = await SiloProcess.StartAsync(database, broker, Release(newest: 2));
        await WaitUntilNewIncidentsAreOfVersionAsync(client, 2);
        var second = await CreateAsync(client, "begun on release 2");
        Assert.All(await Task.WhenAll(first.Select(client.GetIncident)), i => Assert.Equal(1, i.WorkflowVersion));
        Assert.All(await Task.WhenAll(second.Select(client.GetIncident)), i => Assert.Equal(2, i.WorkflowVersion));

        await FeedAsync(client, [.. first, .. second]);
        // Stop A while both versions are in flight.
        await siloA.WaitForLogAsync(line => line.StartsWith("Staged ", StringComparison.Ordinal), "release 1 to run a step", Patience);
        var completedBefore = await CompletedAsync(client, [.. first, .. second]);
        await siloA.StopAsync(TimeSpan.FromSeconds(60));
        await using var siloC = await SiloProcess.StartAsync(database, broker, Release(newest: 2));
        var ends = await Task.WhenAll(first.Concat(second).Select(i => client.WaitForEndAsync(i, Patience)));

        output.WriteLine($"{completedBefore} of {2 * PerVersion} completed when release 1 stopped");
        Assert.True(completedBefore < 2 * PerVersion, "every incident had completed before release 1 stopped: nothing was in flight");
        Assert.All(ends, end => Assert.Equal(IncidentStatus.Completed, end.Status));
        foreach (var incident in first)
            await AssertPathAsync(client, incident, Old);
        foreach (var incident in second)
            await AssertPathAsync(client, incident, New);
        await AssertNothingDeadLetteredAsync(client, broker, [.. first, .. second]);
        // Release 1 ran no step of a version 2 incident: its handlers refused them and placement took them to release 2.
        Assert.DoesNotContain(siloA.Log.Split('\n'), line => line.StartsWith("Staged ", StringComparison.Ordinal) && line.EndsWith("at version 2", StringComparison.Ordinal));
        Assert.Contains(siloA.Log.Split('\n'), line => line.StartsWith("Staged ", StringComparison.Ordinal) && line.EndsWith("at version 1", StringComparison.Ordinal));
        Assert.Equal(0, await database.CountAsync("SELECT count(*) FROM owf_held_message"));
    }

    [Fact]
    public async Task A_silo_that_lacks_an_incidents_version_holds_its_messages_and_says_so_until_a_silo_that_runs_it_completes_them()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        List<Guid> incidents;
        await using (var newer = await SiloProcess.StartAsync(database, broker, Release(newest: 2)))
        {
            await using var creating = await newer.ConnectAsync();
            incidents = await CreateAsync(creating, "begun on release 2");
            await newer.StopAsync(TimeSpan.FromSeconds(60));
        }

        // Rolled back: only release 1 runs.
        await using var older = await SiloProcess.StartAsync(database, broker, Release(newest: 1));
        await using var client = await older.ConnectAsync(membershipDatabase: database.ConnectionString);
        await FeedAsync(client, incidents);
        await Eventually.UntilAsync(() => database.CountAsync("SELECT count(*) FROM owf_held_message"), held => held == PerVersion, Patience, "every message to be held");
        using var http = new HttpClient { BaseAddress = older.WebUrl, Timeout = TimeSpan.FromSeconds(30) };
        var (status, held) = await ReadinessAsync(http);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", held.GetProperty("status").GetString());
        Assert.Contains($"{PerVersion} of STAGED version 2", held.GetProperty("description").GetString());
        Assert.Equal(PerVersion, older.Log.Split('\n').Count(l => l.Contains("is held: no live silo runs STAGED version 2", StringComparison.Ordinal)));
        Assert.All(await Task.WhenAll(incidents.Select(client.GetIncident)), i => Assert.Equal(IncidentStatus.Active, i.Status));
        Assert.DoesNotContain(older.Log.Split('\n'), line => line.StartsWith("Staged ", StringComparison.Ordinal));

        await using var upgraded = await SiloProcess.StartAsync(database, broker, Release(newest: 2));
        IncidentInfo[] ends;
        try
        {
            ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, Patience)));
        }
        catch (TimeoutException)
        {
            output.WriteLine($"release 1 silo:\n{older.Log}\nrelease 2 silo:\n{upgraded.Log}");
            throw;
        }

        Assert.All(ends, end => Assert.Equal(IncidentStatus.Completed, end.Status));
        foreach (var incident in incidents)
            await AssertPathAsync(client, incident, New, heldOnce: true);
        await AssertNothingDeadLetteredAsync(client, broker, incidents);
        Assert.Equal(0, await database.CountAsync("SELECT count(*) FROM owf_held_message"));
        var (_, after) = await Eventually.UntilAsync(() => ReadinessAsync(http), r => r.Held.GetProperty("status").GetString() == "Healthy", TimeSpan.FromSeconds(30), "/readyz to clear");
        Assert.Equal("Healthy", after.GetProperty("status").GetString());
    }

    private static Dictionary<string, string> Release(int newest) => new()
    {
        ["OWF_Cluster__Membership"] = "postgresql",
        ["OWF_Staged__Newest"] = newest.ToString(),
        ["OWF_Staged__Oldest"] = "1",
        ["OWF_Staged__WorkTime"] = "00:00:00.300",
    };

    private static async Task<List<Guid>> CreateAsync(WorkflowClient client, string name)
    {
        var incidents = new List<Guid>();
        for (var i = 0; i < PerVersion; i++)
            incidents.Add(await client.CreateIncident($"{name} {i}", Kind));
        return incidents;
    }

    private static async Task FeedAsync(WorkflowClient client, IEnumerable<Guid> incidents)
    {
        foreach (var incident in incidents)
            await client.Send(Start, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString() });
        await client.FlushMessages();
    }

    /// <summary>The cluster learns of a new silo's versions from its metadata: wait until a new incident takes its version.</summary>
    private static Task WaitUntilNewIncidentsAreOfVersionAsync(WorkflowClient client, int version) =>
        Eventually.UntilAsync(async () =>
        {
            var probes = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => client.CreateIncident($"probe {i}", Kind)));
            var infos = await Task.WhenAll(probes.Select(client.GetIncident));
            foreach (var probe in probes)
                await client.Cancel(probe, "a probe of the incidents' version");
            return infos;
        }, infos => infos.All(i => i.WorkflowVersion == version), TimeSpan.FromSeconds(60), $"new incidents to be of version {version}");

    private static async Task<int> CompletedAsync(WorkflowClient client, IEnumerable<Guid> incidents) =>
        (await Task.WhenAll(incidents.Select(client.GetIncident))).Count(i => i.Status == IncidentStatus.Completed);

    /// <summary>staged_start completed once and sent to <paramref name="path"/>, which completed once; nothing else ran.</summary>
    private static async Task AssertPathAsync(WorkflowClient client, Guid incident, string path, bool heldOnce = false)
    {
        var steps = await client.GetSteps(incident);
        var completed = steps.Where(s => s.Outcome == StepOutcome.Completed).Select(s => (s.Queue, string.Join(",", s.SentTo))).ToList();
        Assert.Equal([(Start, path), (path, "")], completed);
        var others = steps.Where(s => s.Outcome != StepOutcome.Completed).ToList();
        if (heldOnce)
            Assert.Equal(Start, Assert.Single(others).Queue);
        else
            Assert.Empty(others);
    }

    private static async Task AssertNothingDeadLetteredAsync(WorkflowClient client, TestVirtualHost broker, IEnumerable<Guid> incidents)
    {
        foreach (var incident in incidents)
            Assert.Empty(await client.GetDeadLetters(incident));
        foreach (var queue in new[] { Start, Old, New })
            Assert.Empty(await broker.DrainAsync(WireContract.DeadLetterQueue(queue)));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Held)> ReadinessAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/readyz");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("checks").GetProperty("held-messages").Clone());
    }
}
