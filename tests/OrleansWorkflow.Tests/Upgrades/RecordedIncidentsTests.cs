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
        foreach (var table in new[] { "owf_grain_state", "owf_incident" })
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
