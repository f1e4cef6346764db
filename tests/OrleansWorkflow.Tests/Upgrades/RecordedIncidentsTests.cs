using System.Text.Json.Nodes;
using Npgsql;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Upgrades;

[CollectionDefinition(Name)]
public sealed class UpgradeCollection
{
    public const string Name = "upgrades";
}

/// <summary>
/// An operator upgrades: the incidents an earlier release left waiting at a join are read and completed by today's
/// silo, each once, on the path of the workflow version they began with.
/// </summary>
[Collection(UpgradeCollection.Name)]
public sealed class RecordedIncidentsTests
{
    private const int Incidents = 20;
    /// <summary>The queues of the test host's UpgradeKeepHandler.</summary>
    private const string KeepQueue = "upgrade_keep", KeepSink = "upgrade_sink";

    [Fact]
    public async Task Fire_incidents_that_4c191bb_left_at_the_join_complete_once_each_on_todays_samples_silo_with_their_recorded_inputs()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var recorded = await LoadRecordedAsync(database, "fire-at-join-4c191bb.sql");
        Assert.Equal(Incidents, recorded.Count);

        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = "00:00:00.020" });
        await using var client = await silo.ConnectAsync();
        Assert.All(await Task.WhenAll(recorded.Select(client.GetIncident)), info => Assert.Equal((IncidentStatus.Active, 1), (info.Status, info.WorkflowVersion)));
        // The query that says whether the sample still needs its version 1 path: running fire incidents of version 1.
        var (exit, listed, _) = await OwfCommand.RunAsync(silo, "list", "--kind", FireWorkflow.Kind, "--status", "Active", "--workflow-version", "1", "--json");
        Assert.Equal(0, exit);
        Assert.Equal(recorded.Order(), JsonNode.Parse(listed)!.AsArray().Select(i => i!["incidentId"]!.GetValue<Guid>()).Order());
        var (_, status, _) = await OwfCommand.RunAsync(silo, "status", recorded[0].ToString());
        Assert.Contains($"{FireWorkflow.Kind} version 1: Active", status);
        // Created today, a fire incident is of the samples host's newest version; the API lists it under that version only.
        var today = await client.CreateIncident("created on today's silo", FireWorkflow.Kind);
        Assert.Equal(FireWorkflow.Version, (await client.GetIncident(today)).WorkflowVersion);
        using var http = new HttpClient { BaseAddress = silo.WebUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", await silo.AdminKeyAsync());
        Assert.Equal([today], await ListedAsync(http, $"kind={FireWorkflow.Kind}&version={FireWorkflow.Version}"));
        Assert.Equal(Incidents, (await ListedAsync(http, $"kind={FireWorkflow.Kind}&version=1")).Count);
        await client.Cancel(today, "not fed: it shows the version of new incidents");
        foreach (var incident in recorded)
            await client.Send(FireWorkflow.WeatherData, new JsonObject { ["IncidentID"] = incident.ToString(), ["data"] = "some data" });
        await client.FlushMessages();

        var ends = await Task.WhenAll(recorded.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(2))));

        Assert.All(ends, end => Assert.Equal(IncidentStatus.Completed, end.Status));
        foreach (var incident in recorded)
        {
            var steps = await client.GetSteps(incident);
            // Two runs recorded by 4c191bb (terrain, hotspot), one today (weather); the simulation ran on the last only.
            var simulation = steps.Where(s => s.Queue == FireWorkflow.FireSimulation).ToList();
            Assert.Equal([FireWorkflow.FireHotspot, FireWorkflow.FireTerrain, FireWorkflow.WeatherResults], simulation.Select(s => s.Originator!).Order());
            Assert.Equal([[], [], [FireWorkflow.FireResults]], simulation.Select(s => s.SentTo));
            Assert.Single(steps, s => s.Queue == FireWorkflow.FireResults);
            Assert.Empty(await client.GetDeadLetters(incident));
        }
        // Today's runs counted the inputs 4c191bb kept: each printed all three, and ran the simulation once.
        var lines = silo.Log.Split('\n');
        Assert.Equal(Incidents, lines.Count(l => l == "   Terrain data available"));
        Assert.Equal(Incidents, lines.Count(l => l == "   Hotspot data available"));
        Assert.Equal(Incidents, lines.Count(l => l == "Will execute fire simulation locally"));
        Assert.Equal(0, lines.Count(l => l == "Will do nothing - waiting for data"));
    }

    /// <summary>
    /// Rows 7422519 wrote, the release before handlers owned their steps: 10 fire incidents at the join (terrain and
    /// hotspot taken by context.Join, in the handler's journal; their steps numbered in owf_incident_step), each with an
    /// upgrade_keep handler that kept two documents and whose last effects were still stored when that silo was killed.
    /// </summary>
    [Fact]
    public async Task Incidents_that_7422519_left_at_a_join_with_kept_documents_and_stored_effects_complete_once_each_on_todays_silo()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var recorded = await LoadRecordedAsync(database, "fire-and-keep-7422519.sql");
        Assert.Equal(10, recorded.Count);
        Assert.Equal(20, await database.CountAsync("SELECT count(*) FROM owf_handler_step WHERE queue = 'upgrade_keep' AND started_at IS NULL"));
        // 7422519 cleared a handler's carried-out effects only when its activation ended: each entry still holds them,
        // and the newest one of each handler is taken as waiting.
        Assert.Equal(20, await database.CountAsync("SELECT count(*) FROM owf_handler_step WHERE queue = 'upgrade_keep' AND outbox IS NOT NULL"));

        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = "00:00:00" }, SiloProcess.TestHost);
        await using var client = await silo.ConnectAsync();
        foreach (var incident in recorded)
            await client.SendNow(KeepQueue, new JsonObject { ["IncidentID"] = incident.ToString(), ["kept"] = "c" });
        await Eventually.UntilAsync(() => Task.FromResult(silo.Log.Split('\n').Count(l => l.EndsWith(": a,b,c", StringComparison.Ordinal))),
            kept => kept == recorded.Count, TimeSpan.FromSeconds(60), "each incident's handler to keep a third document");
        foreach (var incident in recorded)
            await client.SendNow(FireWorkflow.WeatherData, new JsonObject { ["IncidentID"] = incident.ToString(), ["data"] = "some data" });
        var ends = await Task.WhenAll(recorded.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(2))));

        Assert.All(ends, end => Assert.Equal(IncidentStatus.Completed, end.Status));
        var lines = silo.Log.Split('\n');
        foreach (var incident in recorded)
        {
            // The documents 7422519 kept come first, then today's.
            Assert.Single(lines, l => l == $"Kept by incident {incident}: a,b,c");
            var steps = await client.GetSteps(incident);
            // Two runs of each handler recorded by 7422519, one today; the simulation ran on today's only.
            Assert.Equal(3, steps.Count(s => s.Queue == KeepQueue && s.Outcome == StepOutcome.Completed));
            var simulation = steps.Where(s => s.Queue == FireWorkflow.FireSimulation).ToList();
            Assert.Equal([FireWorkflow.FireHotspot, FireWorkflow.FireTerrain, FireWorkflow.WeatherResults], simulation.Select(s => s.Originator!).Order());
            Assert.Equal([[], [], [FireWorkflow.FireResults]], simulation.Select(s => s.SentTo));
            Assert.Single(steps, s => s.Queue == FireWorkflow.FireResults);
            Assert.Empty(await client.GetDeadLetters(incident));
        }
        Assert.Equal(recorded.Count, lines.Count(l => l == "Will execute fire simulation locally"));
        Assert.Equal(0, lines.Count(l => l == "Will do nothing - waiting for data"));
        // The effects 7422519 still had stored went out again (their MessageIDs unchanged), then today's: one of each per incident.
        var sunk = (await broker.DrainAsync(KeepSink)).Select(m => JsonNode.Parse(m.Body.Span)!["kept"]!.GetValue<string>()).ToList();
        Assert.Equal(recorded.Count, sunk.Count(k => k == "a,b"));
        Assert.Equal(recorded.Count, sunk.Count(k => k == "a,b,c"));
        Assert.Equal(2 * recorded.Count, sunk.Count);
    }

    private static async Task<List<Guid>> ListedAsync(HttpClient http, string query)
    {
        var listed = JsonNode.Parse(await http.GetStringAsync($"/api/incidents?{query}"))!.AsArray();
        return [.. listed.Select(i => i!["incidentId"]!.GetValue<Guid>())];
    }

    /// <summary>Loads rows an earlier release wrote (a pg_dump of its tables) as this database's service's rows; returns the incidents.</summary>
    internal static async Task<IReadOnlyList<Guid>> LoadRecordedAsync(TestDatabase database, string file)
    {
        var rows = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Storage", "Recorded", file));
        await using var connection = new NpgsqlConnection(database.AdminConnectionString);
        await connection.OpenAsync();
        await using (var load = new NpgsqlCommand(rows, connection))
            await load.ExecuteNonQueryAsync();
        foreach (var table in new[] { "owf_grain_state", "owf_incident", "owf_incident_step", "owf_handler_step", "owf_incident_dead_letter" })
            await using (var rename = new NpgsqlCommand($"UPDATE {table} SET service_id = @service", connection) { Parameters = { new("service", database.Name) } })
                await rename.ExecuteNonQueryAsync();
        var incidents = new List<Guid>();
        await using var list = new NpgsqlCommand("SELECT incident_id FROM owf_incident ORDER BY created_at", connection);
        await using var reader = await list.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            incidents.Add(reader.GetGuid(0));
        return incidents;
    }
}
