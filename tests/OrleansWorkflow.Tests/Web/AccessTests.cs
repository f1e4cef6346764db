using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Web;

/// <summary>Who gets in, and to do what: API keys and roles on a real silo, which created its own admin key.</summary>
[Collection(WebCollection.Name)]
public sealed class AccessTests(WebSiloFixture web)
{
    private const string Unknown = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

    public static TheoryData<string, string> ApiRoutes => new()
    {
        { "GET", "/api/incidents" },
        { "GET", $"/api/incidents/{Unknown}" },
        { "GET", $"/api/incidents/{Unknown}/graph?format=svg" },
        { "GET", $"/api/incidents/{Unknown}/events" },
        { "GET", "/api/silos" },
        { "GET", "/api/me" },
        { "GET", "/api/keys" },
        { "GET", "/api/dead-letters/fire_terrain" },
        { "POST", "/api/incidents" },
        { "POST", "/api/incidents/batch" },
        { "POST", $"/api/incidents/{Unknown}/messages/fire_terrain" },
        { "POST", $"/api/incidents/{Unknown}/complete" },
        { "POST", $"/api/incidents/{Unknown}/cancel" },
        { "POST", "/api/dead-letters/fire_terrain/m-1/replay" },
        { "POST", "/api/dead-letters/fire_terrain/m-1/discard" },
        { "POST", "/api/keys" },
        { "DELETE", "/api/keys/test-viewer" },
        { "GET", "/api/no-such-route" },
    };

    [Theory]
    [MemberData(nameof(ApiRoutes))]
    public async Task Without_a_key_or_with_a_wrong_one_every_API_route_answers_401_saying_how_to_sign_in(string method, string path)
    {
        foreach (var key in new[] { null, "owf_not-a-key-anyone-was-given" })
        {
            using var http = web.HttpAs(key);
            using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Authorization: Bearer", (await WebSiloFixture.ParseAsync(response))!["error"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("/incidents")]
    [InlineData($"/incidents/{Unknown}")]
    [InlineData("/dashboard/")]
    public async Task Without_a_session_a_page_redirects_to_sign_in(string path)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = web.Silo.WebUrl };

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/signin?returnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Health_probes_and_the_sign_in_page_need_no_key()
    {
        using var anonymous = web.HttpAs(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/signin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/assets/owf.js")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_reads_but_may_not_create_send_complete_cancel_or_replay()
    {
        var incident = await web.Client.CreateIncident("viewed fire", "FIRE");
        using var viewer = web.HttpAs(web.ViewerKey);

        Assert.Equal(200, (await WebSiloFixture.GetAsync(viewer, $"/api/incidents/{incident}")).Status);
        Assert.Equal(200, (await WebSiloFixture.GetAsync(viewer, "/api/incidents?limit=5")).Status);
        Assert.Equal(200, (await WebSiloFixture.GetAsync(viewer, "/api/dead-letters/fire_terrain")).Status);
        var (_, me) = await WebSiloFixture.GetAsync(viewer, "/api/me");
        Assert.Equal("test-viewer", me!["name"]!.GetValue<string>());
        Assert.Equal("viewer", me["role"]!.GetValue<string>());

        foreach (var (path, body) in new[]
        {
            ("/api/incidents", """{"name": "x", "kind": "FIRE"}"""),
            ("/api/incidents/batch", """{"incidents": [{"name": "x", "kind": "FIRE"}]}"""),
            ($"/api/incidents/{incident}/messages/fire_terrain", """{"data": "x"}"""),
            ($"/api/incidents/{incident}/complete", "{}"),
            ($"/api/incidents/{incident}/cancel", """{"reason": "x"}"""),
            ("/api/dead-letters/fire_terrain/m-1/replay", "{}"),
            ("/api/keys", """{"name": "mine", "role": "admin"}"""),
        })
        {
            var (status, answer) = await WebSiloFixture.PostAsync(viewer, path, body);
            Assert.True(status == 403, $"POST {path} as a viewer answered {status}: {answer?.ToJsonString()}");
            Assert.Contains("the role viewer", answer!["error"]!.GetValue<string>());
        }
        Assert.Equal(Incidents.IncidentStatus.Pending, (await web.Client.GetIncident(incident)).Status);
    }

    [Fact]
    public async Task An_operator_creates_feeds_and_cancels_and_each_change_is_in_the_audit_log_with_the_key_name()
    {
        using var operatorHttp = web.HttpAs(web.OperatorKey);

        var (created, incident) = await WebSiloFixture.PostAsync(operatorHttp, "/api/incidents", """{"name": "audited fire", "kind": "FIRE"}""");
        Assert.Equal(201, created);
        var id = incident!["incidentId"]!.GetValue<string>();
        Assert.Equal(202, (await WebSiloFixture.PostAsync(operatorHttp, $"/api/incidents/{id}/messages/{FireWorkflow.FireTerrain}", """{"data": "x"}""")).Status);
        Assert.Equal(200, (await WebSiloFixture.PostAsync(operatorHttp, $"/api/incidents/{id}/cancel", """{"reason": "audit test"}""")).Status);
        Assert.Equal(403, (await WebSiloFixture.GetAsync(operatorHttp, "/api/keys")).Status);

        await web.Silo.WaitForLogAsync("POST /api/incidents by test-operator (operator): 201", TimeSpan.FromSeconds(60));
        await web.Silo.WaitForLogAsync($"POST /api/incidents/{id}/messages/{FireWorkflow.FireTerrain} by test-operator (operator): 202", TimeSpan.FromSeconds(60));
        await web.Silo.WaitForLogAsync($"POST /api/incidents/{id}/cancel by test-operator (operator): 200", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_text_plain_post_from_another_site_gets_415_and_a_foreign_Host_gets_400()
    {
        using var operatorHttp = web.HttpAs(web.OperatorKey);
        var kind = $"CSRF-{Guid.NewGuid():N}"[..12];
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/api/incidents") { Content = new StringContent($$"""{"name":"csrf","kind":"{{kind}}"}""", System.Text.Encoding.UTF8, "text/plain") };
        forged.Headers.Add("Origin", "http://evil.example");

        using var refused = await operatorHttp.SendAsync(forged);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Contains("Content-Type: application/json", (await WebSiloFixture.ParseAsync(refused))!["error"]!.GetValue<string>());
        Assert.Empty(await web.Client.ListIncidents(new Incidents.IncidentQuery(null, kind, 10)));

        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/incidents");
        rebound.Headers.Host = "evil.example";
        using var foreign = await operatorHttp.SendAsync(rebound);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_generated_admin_key_file_is_readable_by_its_user_only_and_the_database_keeps_only_hashes()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(web.AdminKeyFile));
        using var admin = web.HttpAs(web.AdminKey);
        var (status, keys) = await WebSiloFixture.GetAsync(admin, "/api/keys");
        Assert.Equal(200, status);
        var names = keys!.AsArray().Select(k => k!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("admin", names);
        Assert.Contains("test-operator", names);
        Assert.DoesNotContain(web.OperatorKey, keys.ToJsonString());

        // Every stored grain state, as bytes: the keys' hashes are there, the keys are not.
        await using var database = new NpgsqlConnection(web.DatabaseConnectionString);
        await database.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT payload FROM owf_grain_state WHERE payload IS NOT NULL", database);
        var stored = new List<byte[]>();
        await using (var rows = await query.ExecuteReaderAsync())
            while (await rows.ReadAsync())
                stored.Add((byte[])rows[0]);
        bool Holds(string text) => stored.Any(row => row.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0);
        Assert.True(Holds(global::OrleansWorkflow.Web.Security.ApiKeys.Hash(web.OperatorKey)), "the operator key's hash is stored");
        Assert.False(Holds(web.OperatorKey), "the operator key itself is stored");
        Assert.False(Holds(web.AdminKey), "the admin key itself is stored");
    }

    [Fact]
    public async Task A_removed_key_stops_working_within_seconds()
    {
        var key = await web.CreateKeyAsync($"short-lived-{Guid.NewGuid():N}"[..20], "viewer");
        using var holder = web.HttpAs(key);
        Assert.Equal(200, (await WebSiloFixture.GetAsync(holder, "/api/me")).Status);
        var name = (await WebSiloFixture.GetAsync(holder, "/api/me")).Body!["name"]!.GetValue<string>();

        using var admin = web.HttpAs(web.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/keys/{name}")).StatusCode);

        await Eventually.UntilAsync(() => WebSiloFixture.GetAsync(holder, "/api/me"), r => r.Status == 401, TimeSpan.FromSeconds(60), "the removed key to be refused");
    }

    [Fact]
    public async Task A_principal_over_its_rate_of_changes_gets_429_and_nothing_it_sent_beyond_is_done()
    {
        var key = await web.CreateKeyAsync($"hasty-{Guid.NewGuid():N}"[..16], "operator");
        using var hasty = web.HttpAs(key);

        var answers = await Task.WhenAll(Enumerable.Range(0, 150).Select(_ => WebSiloFixture.PostAsync(hasty, $"/api/incidents/{Unknown}/complete", "{}")));

        Assert.Contains(answers, a => a.Status == 429);
        Assert.Contains(answers, a => a.Status == 404);
        Assert.All(answers, a => Assert.True(a.Status is 404 or 429, $"answered {a.Status}"));
        Assert.Contains("Web:MutationsPerSecond", answers.First(a => a.Status == 429).Body!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_principal_holds_at_most_its_number_of_event_streams()
    {
        var key = await web.CreateKeyAsync($"watcher-{Guid.NewGuid():N}"[..16], "viewer");
        var incident = await web.Client.CreateIncident("watched fire", "FIRE");
        using var watcher = web.HttpAs(key);
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < WebSiloFixture.EventStreamsPerPrincipal; i++)
            {
                var stream = await watcher.GetAsync($"/api/incidents/{incident}/events", HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
                open.Add(stream);
            }
            using var refused = await watcher.GetAsync($"/api/incidents/{incident}/events", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

            open[0].Dispose();
            open.RemoveAt(0);
            await Eventually.UntilAsync(async () =>
            {
                var again = await watcher.GetAsync($"/api/incidents/{incident}/events", HttpCompletionOption.ResponseHeadersRead);
                if (again.StatusCode == HttpStatusCode.OK)
                    open.Add(again);
                else
                    again.Dispose();
                return again.StatusCode;
            }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "a stream to open once another closed");
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }
}
