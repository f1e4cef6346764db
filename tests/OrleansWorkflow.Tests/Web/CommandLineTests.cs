using System.Text.Json.Nodes;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Web;

/// <summary>The owf tool as an operator or a script runs it, against a real silo.</summary>
[Collection(WebCollection.Name)]
public sealed class CommandLineTests(WebSiloFixture web)
{
    [Fact]
    public async Task Watch_prints_each_stage_of_a_running_fire_incident_as_it_happens_and_exits_0_when_it_completes()
    {
        // Terrain and hotspot data only: the incident runs and waits for weather, so the watch starts on a running incident.
        var incident = await web.Client.CreateIncident("watched fire", "FIRE");
        foreach (var queue in new[] { FireWorkflow.FireTerrain, FireWorkflow.FireHotspot })
            await web.Client.SendNow(queue, Message(incident));
        await Eventually.UntilAsync(() => web.Client.GetSteps(incident), s => s.Count(x => x.Queue == FireWorkflow.FireSimulation) == 2, TimeSpan.FromSeconds(30), "the join to wait");

        var (listed, active, _) = await OwfCommand.RunAsync(web.Silo, "list", "--status", "Active", "--json");
        Assert.Equal(0, listed);
        Assert.Contains(JsonNode.Parse(active)!.AsArray(), i => i!["incidentId"]!.GetValue<string>() == incident.ToString());

        using var watch = OwfCommand.Start(web.Silo, "watch", incident.ToString());
        await Eventually.UntilAsync(() => Task.FromResult(watch.Output), o => o.Contains($"started    {FireWorkflow.FireHotspot}"), TimeSpan.FromSeconds(30), "watch to show the steps so far");
        var before = watch.Lines.Count;
        await web.Client.SendNow(FireWorkflow.WeatherData, Message(incident));
        var exitCode = await watch.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"owf watch exited {exitCode}:\n{watch.Output}\n{watch.Errors}");
        var after = watch.Lines.Skip(before).ToList();
        foreach (var queue in new[] { FireWorkflow.WeatherData, FireWorkflow.WeatherSimulation, FireWorkflow.WeatherResults, FireWorkflow.FireResults })
        {
            Assert.Contains(after, l => l.Contains($"started    {queue}"));
            Assert.Contains(after, l => l.Contains($"completed  {queue}"));
        }
        Assert.Contains(after, l => l.Contains("incident   Completed"));
        Assert.DoesNotContain(after, l => l.Contains($"started    {FireWorkflow.FireTerrain}")); // printed once, before
    }

    [Fact]
    public async Task Bad_arguments_exit_2_with_what_to_do_and_an_unknown_incident_is_named()
    {
        var (malformed, _, error) = await OwfCommand.RunAsync(web.Silo, "status", "fire-42");
        Assert.Equal(2, malformed);
        Assert.Contains("\"fire-42\" is not an IncidentID", error);

        var unknown = Guid.NewGuid();
        var (missing, _, missingError) = await OwfCommand.RunAsync(web.Silo, "status", unknown.ToString());
        Assert.Equal(2, missing);
        Assert.Contains($"Incident {unknown} was never created", missingError);

        var (noReason, _, reasonError) = await OwfCommand.RunAsync(web.Silo, "cancel", unknown.ToString());
        Assert.Equal(2, noReason);
        Assert.Contains("--reason", reasonError);
    }

    private static JsonObject Message(Guid incident) => new() { [WireContract.IncidentIdKey] = incident.ToString(), ["data"] = "some data" };
}
