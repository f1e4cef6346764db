using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Web;

/// <summary>The HTTP JSON API of a real silo, driven as a program in any language would: plain HTTP and JSON.</summary>
[Collection(WebCollection.Name)]
public sealed class HttpApiTests(WebSiloFixture web)
{
    [Fact]
    public async Task A_fire_incident_created_and_fed_through_the_API_is_read_back_Completed_with_its_graph()
    {
        var kind = $"FIRE-API-{Guid.NewGuid():N}"[..16];
        var (created, incident) = await web.PostAsync("/api/incidents", $$"""{"name": "Fire at Corte", "kind": "{{kind}}"}""");
        Assert.Equal(201, created);
        var id = incident!["incidentId"]!.GetValue<string>();
        Assert.Equal("Pending", incident["status"]!.GetValue<string>());

        foreach (var queue in FireWorkflow.Entry)
        {
            var (accepted, sent) = await web.PostAsync($"/api/incidents/{id}/messages/{queue}", """{"data": "some data"}""");
            Assert.Equal(202, accepted);
            Assert.Equal(queue, sent!["queue"]!.GetValue<string>());
        }

        var detail = await Eventually.UntilAsync(async () => (await web.GetAsync($"/api/incidents/{id}")).Body!,
            d => d["incident"]!["status"]!.GetValue<string>() == "Completed", TimeSpan.FromSeconds(60), "the incident to complete");
        var timeline = detail["timeline"]!.AsArray();
        Assert.Equal(9, timeline.Count); // 3 entries, the weather chain's 2 more steps, 3 inputs of the join, the results
        Assert.All(timeline, step => Assert.Equal("Completed", step!["outcome"]!.GetValue<string>()));
        Assert.Contains(timeline, step => step!["queue"]!.GetValue<string>() == FireWorkflow.FireResults && step["handler"]!.GetValue<string>() == "IFireResultsHandler");
        Assert.Contains(timeline, step => step!["queue"]!.GetValue<string>() == FireWorkflow.FireTerrain && step["originator"]!.GetValue<string>() == "web");

        var (_, graph) = await web.GetAsync($"/api/incidents/{id}/graph");
        var nodes = graph!["nodes"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(FireWorkflow.FireSimulation, nodes);
        Assert.Contains(FireWorkflow.FireResults, nodes);
        var svg = await web.Http.GetStringAsync($"/api/incidents/{id}/graph?format=svg");
        Assert.StartsWith("<?xml", svg);
        Assert.Contains(FireWorkflow.WeatherSimulation, svg);
        var dot = await web.Http.GetStringAsync($"/api/incidents/{id}/graph?format=dot");
        Assert.Contains($"\"{FireWorkflow.FireSimulation}\" -> \"{FireWorkflow.FireResults}\"", dot);

        // One log line per handled message, with its incident, queue, handler, outcome and duration.
        var resultsStep = timeline.Single(step => step!["queue"]!.GetValue<string>() == FireWorkflow.FireResults)!;
        await web.Silo.WaitForLogAsync($"Message {resultsStep["messageId"]!.GetValue<string>()} of incident {id} on {FireWorkflow.FireResults} by IFireResultsHandler: handled in ", TimeSpan.FromSeconds(60));

        var (_, listed) = await web.GetAsync($"/api/incidents?kind={kind}&status=Completed");
        Assert.Equal(id, Assert.Single(listed!.AsArray())!["incidentId"]!.GetValue<string>());
        var (_, none) = await web.GetAsync($"/api/incidents?kind={kind}&status=Active");
        Assert.Empty(none!.AsArray());
    }

    [Fact]
    public async Task A_batch_creates_every_incident_it_holds_in_order_and_a_batch_with_one_bad_incident_creates_none()
    {
        var kind = $"BATCH-{Guid.NewGuid():N}"[..16];
        var (created, answer) = await web.PostAsync("/api/incidents/batch",
            $$"""{"incidents": [{"name": "drill 1", "kind": "{{kind}}"}, {"name": "drill 2", "kind": "{{kind}}", "urgency": "Emergency"}, {"name": "drill 3", "kind": "{{kind}}"}]}""");
        Assert.Equal(201, created);
        var ids = answer!["incidentIds"]!.AsArray().Select(id => Guid.Parse(id!.GetValue<string>())).ToList();
        Assert.Equal(3, ids.Count);
        var infos = await Task.WhenAll(ids.Select(web.Client.GetIncident));
        Assert.Equal(["drill 1", "drill 2", "drill 3"], infos.Select(i => i.Name));
        Assert.All(infos, i => Assert.Equal(IncidentStatus.Pending, i.Status));
        Assert.Equal(IncidentUrgency.Emergency, infos[1].Urgency);

        var (refused, error) = await web.PostAsync("/api/incidents/batch",
            $$"""{"incidents": [{"name": "fine", "kind": "{{kind}}"}, {"name": "no kind"}]}""");
        Assert.Equal(400, refused);
        Assert.Contains("incident 1 of \"incidents\"", error!["error"]!.GetValue<string>());
        var (tooMany, reason) = await web.PostAsync("/api/incidents/batch", """{"incidents": []}""");
        Assert.Equal(400, tooMany);
        Assert.Contains("1 to 10000 incidents", reason!["error"]!.GetValue<string>());
        Assert.Equal(3, (await web.Client.ListIncidents(new IncidentQuery(Kind: kind))).Count);
    }

    [Theory]
    [InlineData("POST", "/api/incidents", "not json", 400, "must be a JSON object")]
    [InlineData("POST", "/api/incidents", "[1, 2]", 400, "must be a JSON object")]
    [InlineData("POST", "/api/incidents", """{"name": "no kind"}""", 400, "\"kind\"")]
    [InlineData("POST", "/api/incidents", """{"name": "x", "kind": "FIRE", "incidentDate": "yesterday"}""", 400, "ISO 8601")]
    [InlineData("GET", "/api/incidents?status=Burning", "", 400, "not an incident status")]
    [InlineData("GET", "/api/incidents?limit=0", "", 400, "limit is 0")]
    [InlineData("GET", "/api/incidents/fire-42", "", 400, "not an IncidentID")]
    [InlineData("GET", "/api/incidents/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "", 404, "never created")]
    [InlineData("POST", "/api/incidents/3f2504e0-4f89-11d3-9a0c-0305e82c3301/messages/fire_terrain", "{}", 404, "never created")]
    public async Task A_malformed_request_gets_a_4xx_with_the_reason(string method, string path, string body, int status, string reason)
    {
        var (code, answer) = method == "POST" ? await web.PostAsync(path, body) : await web.GetAsync(path);

        Assert.Equal(status, code);
        Assert.Contains(reason, answer!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Requests_on_an_existing_incident_that_make_no_sense_are_refused_with_the_reason()
    {
        var (_, incident) = await web.PostAsync("/api/incidents", """{"name": "refusals", "kind": "TEST"}""");
        var id = incident!["incidentId"]!.GetValue<string>();

        AssertRefused(400, "\"reason\"", await web.PostAsync($"/api/incidents/{id}/cancel", "{}"));
        AssertRefused(400, "JSON object", await web.PostAsync($"/api/incidents/{id}/messages/fire_terrain", "[1]"));
        AssertRefused(400, "not the incident of the URL", await web.PostAsync($"/api/incidents/{id}/messages/fire_terrain", """{"IncidentID": "3f2504e0-4f89-11d3-9a0c-0305e82c3301"}"""));
        AssertRefused(400, "no handler is registered on queue \"fire_terain\"; the queues are: ", await web.PostAsync($"/api/incidents/{id}/messages/fire_terain", "{}"));
        AssertRefused(400, "not a graph format", await web.GetAsync($"/api/incidents/{id}/graph?format=gif"));

        var (completed, _) = await web.PostAsync($"/api/incidents/{id}/complete", "");
        Assert.Equal(200, completed);
        AssertRefused(409, "takes no more messages", await web.PostAsync($"/api/incidents/{id}/messages/fire_terrain", "{}"));
    }

    [Fact]
    public async Task The_dashboard_answers_on_loopback_and_lists_the_silo()
    {
        Assert.Equal("127.0.0.1", web.Silo.WebUrl.Host);
        var page = await web.Http.GetAsync("/dashboard/");
        Assert.True(page.IsSuccessStatusCode, $"GET /dashboard/ answered {(int)page.StatusCode}");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

        var (_, counters) = await web.GetAsync("/dashboard/DashboardCounters");
        var host = Assert.Single(counters!["hosts"]!.AsArray());
        Assert.Equal("Active", host!["status"]!.GetValue<string>());
        Assert.Equal(web.Silo.GatewayPort, host["proxyPort"]!.GetValue<int>());
    }

    [Fact]
    public async Task Operators_drain_and_enable_a_machine_over_the_API_and_viewers_may_only_look()
    {
        var (listed, machines) = await web.GetAsync("/api/machines");
        Assert.Equal(200, listed);
        Assert.Contains(machines!.AsArray(), m => m!["machine"]!.GetValue<string>() == LoopbackHpc.Machine && m["mode"]!.GetValue<string>() == "Enabled");

        using var viewer = web.HttpAs(web.ViewerKey);
        var (refused, _) = await WebSiloFixture.PostAsync(viewer, $"/api/machines/{LoopbackHpc.Machine}/mode", """{"mode": "Draining", "reason": "a viewer"}""");
        Assert.Equal(403, refused);
        var (waiting, held) = await WebSiloFixture.GetAsync(viewer, $"/api/machines/{LoopbackHpc.Machine}/waiting");
        Assert.Equal((200, 0), (waiting, held!.AsArray().Count));
        AssertRefused(400, "No HPC machine named \"nowhere\"", await WebSiloFixture.GetAsync(viewer, "/api/machines/nowhere/waiting"));
        AssertRefused(400, "machine", await WebSiloFixture.GetAsync(viewer, "/api/machines/%20/waiting"));
        var (listedSchedules, schedules) = await WebSiloFixture.GetAsync(viewer, "/api/schedules");
        var schedule = Assert.Single(schedules!.AsArray())!;
        Assert.Equal((200, WebSiloFixture.Schedule, "TEST", DateTimeOffset.Parse("2028-02-29T06:00:00Z")),
            (listedSchedules, schedule["name"]!.GetValue<string>(), schedule["kind"]!.GetValue<string>(), schedule["nextDue"]!.GetValue<DateTimeOffset>()));
        AssertRefused(400, "\"mode\" must be one of Enabled, Draining, Disabled, Test", await web.PostAsync($"/api/machines/{LoopbackHpc.Machine}/mode", """{"mode": "Off", "reason": "x"}"""));
        AssertRefused(400, "No HPC machine named \"nowhere\"", await web.PostAsync("/api/machines/nowhere/mode", """{"mode": "Draining", "reason": "x"}"""));

        var (drained, state) = await web.PostAsync($"/api/machines/{LoopbackHpc.Machine}/mode", """{"mode": "draining", "reason": "maintenance until 14:00"}""");
        Assert.Equal((200, "Draining", "maintenance until 14:00"), (drained, state!["mode"]!.GetValue<string>(), state["reason"]!.GetValue<string>()));
        var (_, after) = await web.GetAsync("/api/machines");
        Assert.Contains(after!.AsArray(), m => m!["machine"]!.GetValue<string>() == LoopbackHpc.Machine && m["mode"]!.GetValue<string>() == "Draining");
        var (enabled, _) = await web.PostAsync($"/api/machines/{LoopbackHpc.Machine}/mode", """{"mode": "Enabled", "reason": "maintenance over"}""");
        Assert.Equal(200, enabled);
    }

    private static void AssertRefused(int status, string reason, (int Status, JsonNode? Body) answer)
    {
        var error = answer.Body?["error"]?.GetValue<string>() ?? $"(no error in {answer.Body?.ToJsonString()})";
        Assert.True(answer.Status == status && error.Contains(reason, StringComparison.Ordinal),
            $"expected {status} with \"{reason}\", got {answer.Status}: {error}");
    }
}
