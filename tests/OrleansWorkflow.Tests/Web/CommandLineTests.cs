using OrleansWorkflow.Incidents;
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
    public async Task Owf_cancel_is_audited_under_its_callers_key_and_refused_to_a_viewer_and_to_a_caller_without_a_key()
    {
        var refused = await web.Client.CreateIncident("not to be cancelled", "FIRE");
        var (viewerExit, _, viewerError) = await OwfCommand.RunAsAsync(web.Silo, web.ViewerKey, "cancel", refused.ToString(), "--reason", "by a viewer");
        var (anonymousExit, _, anonymousError) = await OwfCommand.RunAsAsync(web.Silo, "", "cancel", refused.ToString(), "--reason", "by nobody");

        Assert.True(viewerExit == 6, $"owf cancel as a viewer exited {viewerExit}: {viewerError}");
        Assert.Contains("IIncidentGrain.Cancel changes the engine and needs an API key of role operator or above: the key \"test-viewer\" has role viewer", viewerError);
        Assert.True(anonymousExit == 6, $"owf cancel without a key exited {anonymousExit}: {anonymousError}");
        Assert.Contains("the client sent no API key", anonymousError);
        Assert.Equal(IncidentStatus.Pending, (await web.Client.GetIncident(refused)).Status);
        await web.Silo.WaitForLogAsync($"Refused IIncidentGrain.Cancel {refused} to gateway client", TimeSpan.FromSeconds(60));
        Assert.Contains("(test-viewer, viewer): the key \"test-viewer\" has role viewer", web.Silo.Log);

        var cancelled = await web.Client.CreateIncident("cancelled by an operator", "FIRE");
        var (operatorExit, said, operatorError) = await OwfCommand.RunAsAsync(web.Silo, web.OperatorKey, "cancel", cancelled.ToString(), "--reason", "by the ops desk");

        Assert.True(operatorExit == 0, $"owf cancel as an operator exited {operatorExit}: {operatorError}");
        Assert.Contains($"Incident {cancelled} Cancelled", said);
        Assert.Equal(IncidentStatus.Cancelled, (await web.Client.GetIncident(cancelled)).Status);
        await web.Silo.WaitForLogAsync($"IIncidentGrain.Cancel {cancelled} by test-operator (operator) through the gateway: done", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Create_takes_an_urgency_and_a_deadline_and_machines_are_drained_and_enabled_by_name()
    {
        var (created, id, createError) = await OwfCommand.RunAsync(web.Silo, "create", "urgent fire", "FIRE", "--urgency", "Emergency", "--deadline", "2030-07-14T16:00:00Z");
        Assert.True(created == 0, createError);
        var info = await web.Client.GetIncident(Guid.Parse(id.Trim()));
        Assert.Equal((Incidents.IncidentUrgency.Emergency, new DateTimeOffset(2030, 7, 14, 16, 0, 0, TimeSpan.Zero)), (info.Urgency, info.Deadline));
        await web.Client.Cancel(info.IncidentId, "test over");

        var (set, said, setError) = await OwfCommand.RunAsync(web.Silo, "machines", "set", LoopbackHpc.Machine, "Draining", "--reason", "maintenance until 14:00");
        Assert.True(set == 0, setError);
        Assert.Contains($"Machine {LoopbackHpc.Machine} is Draining: maintenance until 14:00", said);
        var (_, listed, _) = await OwfCommand.RunAsync(web.Silo, "machines", "list");
        Assert.Contains(listed.Split('\n'), l => l.StartsWith(LoopbackHpc.Machine + " ") && l.Contains("Draining") && l.Contains("maintenance until 14:00"));
        var (enabled, _, _) = await OwfCommand.RunAsync(web.Silo, "machines", "set", LoopbackHpc.Machine, "Enabled", "--reason", "maintenance over");
        Assert.Equal(0, enabled);
        var (waited, nothing, waitError) = await OwfCommand.RunAsync(web.Silo, "machines", "waiting", LoopbackHpc.Machine);
        Assert.True(waited == 0, waitError);
        Assert.Contains($"Nothing waits for machine {LoopbackHpc.Machine}.", nothing);
        var (scheduled, none, scheduleError) = await OwfCommand.RunAsync(web.Silo, "schedules");
        Assert.True(scheduled == 0, scheduleError);
        Assert.Contains($"{WebSiloFixture.Schedule}       0 6 29 2 *", none);
        Assert.Contains("Europe/Lisbon", none);

        var (unknown, _, unknownError) = await OwfCommand.RunAsync(web.Silo, "machines", "set", "nowhere", "Draining", "--reason", "x");
        Assert.Equal(2, unknown);
        Assert.Contains("No HPC machine named \"nowhere\"", unknownError);
    }

    [Fact]
    public async Task Create_with_a_count_creates_that_many_in_batches_and_prints_their_ids_in_order()
    {
        var kind = $"DRILL-{Guid.NewGuid():N}"[..16];
        // More than one batch of the client (IIncidentBatchGrain.MaxIncidents), so that two batches go out.
        var count = Incidents.IIncidentBatchGrain.MaxIncidents + 5;
        var (created, output, error) = await OwfCommand.RunAsync(web.Silo, "create", "drill", kind, "--count", count.ToString(), "--urgency", "Urgent");
        Assert.True(created == 0, error);
        var ids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList();
        Assert.Equal(count, ids.Distinct().Count());
        Assert.Contains($"created {count} of {count}", error);
        var last = await web.Client.GetIncident(ids[^1]);
        Assert.Equal(($"drill {count}", Incidents.IncidentUrgency.Urgent, Incidents.IncidentStatus.Pending), (last.Name, last.Urgency, last.Status));
        await using (var database = new Npgsql.NpgsqlConnection(web.DatabaseConnectionString))
        {
            await database.OpenAsync();
            await using var rows = new Npgsql.NpgsqlCommand("SELECT count(*) FROM owf_incident WHERE kind = @kind", database) { Parameters = { new("kind", kind) } };
            Assert.Equal(count, Convert.ToInt32(await rows.ExecuteScalarAsync()));
        }

        var (refused, _, why) = await OwfCommand.RunAsync(web.Silo, "create", "drill", kind, "--count", "0");
        Assert.Equal(2, refused);
        Assert.Contains("--count takes 1 to 1000000", why);
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

    [Fact]
    public async Task Dead_letters_are_listed_with_their_reason_replayed_to_their_queue_and_discarded()
    {
        var incident = await web.Client.CreateIncident("finished early", "FIRE");
        await web.Client.Complete(incident);
        var late = Guid.NewGuid().ToString();
        await web.Broker.PublishRawAsync(FireWorkflow.FireHotspot, Message(incident).ToJsonString(), late);
        await Eventually.UntilAsync(() => web.Client.GetDeadLetters(incident), l => l.Count == 1, TimeSpan.FromSeconds(30), "the dead letter");

        var (listed, json, _) = await OwfCommand.RunAsync(web.Silo, "dead-letters", "list", FireWorkflow.FireHotspot, "--json");
        Assert.Equal(0, listed);
        var letter = Assert.Single(JsonNode.Parse(json)!.AsArray(), l => l!["messageId"]!.GetValue<string>() == late)!;
        Assert.Contains("is already Completed", letter["reason"]!.GetValue<string>());

        // Replayed, it is handled again (and, its incident being finished, dead-lettered again: a second record).
        var (replayed, _, replayError) = await OwfCommand.RunAsync(web.Silo, "dead-letters", "replay", FireWorkflow.FireHotspot, late);
        Assert.True(replayed == 0, replayError);
        await Eventually.UntilAsync(() => web.Client.GetDeadLetters(incident), l => l.Count == 2, TimeSpan.FromSeconds(30), "the replayed letter to come back");

        var (discarded, _, discardError) = await OwfCommand.RunAsync(web.Silo, "dead-letters", "discard", FireWorkflow.FireHotspot, late);
        Assert.True(discarded == 0, discardError);
        var (_, after, _) = await OwfCommand.RunAsync(web.Silo, "dead-letters", "list", FireWorkflow.FireHotspot, "--json");
        Assert.DoesNotContain(JsonNode.Parse(after)!.AsArray(), l => l!["messageId"]!.GetValue<string>() == late);

        var (missing, _, missingError) = await OwfCommand.RunAsync(web.Silo, "dead-letters", "discard", FireWorkflow.FireHotspot, late);
        Assert.Equal(2, missing);
        Assert.Contains($"no dead letter {late}", missingError);
    }

    private static JsonObject Message(Guid incident) => new() { [WireContract.IncidentIdKey] = incident.ToString(), ["data"] = "some data" };
}
