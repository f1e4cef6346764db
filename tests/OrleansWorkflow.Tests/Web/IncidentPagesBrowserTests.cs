using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Wire;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Web;

/// <summary>Headless Chromium (Debian's) on the incident pages of a real silo running the fire sample.</summary>
[Collection(WebCollection.Name)]
public sealed class IncidentPagesBrowserTests(WebSiloFixture web, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true });
        Directory.CreateDirectory(Screenshots);
    }

    [Fact]
    public async Task The_list_and_the_page_of_a_completed_fire_incident_show_its_real_nodes_and_messages()
    {
        var incident = await Examples.StartFireAsync(web.Client);
        await web.Client.WaitForEndAsync(incident, TimeSpan.FromSeconds(60));
        var steps = await web.Client.GetSteps(incident);
        var page = await SignedInPageAsync(web.ViewerKey);

        await page.GotoAsync(new Uri(web.Silo.WebUrl, "/incidents?kind=FIRE").ToString());
        var row = page.Locator($"tr[data-incident='{incident}']");
        await Assertions.Expect(row).ToContainTextAsync("Completed");
        await Assertions.Expect(row).ToContainTextAsync("test fire");
        await Assertions.Expect(row).ToContainTextAsync("Routine");
        await Assertions.Expect(page.Locator($"#machines tr[data-machine='{LoopbackHpc.Machine}']")).ToContainTextAsync("Enabled");
        await Assertions.Expect(page.Locator($"#machines tr[data-machine='{LoopbackHpc.Machine}'] td").Nth(4)).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("#none-waiting")).ToBeVisibleAsync();
        var schedule = page.Locator($"#schedules tr[data-schedule='{WebSiloFixture.Schedule}']");
        await Assertions.Expect(schedule).ToContainTextAsync("0 6 29 2 *");
        await Assertions.Expect(schedule).ToContainTextAsync("Europe/Lisbon");
        // The next 29 February at 06:00 in Lisbon (UTC+0 in winter), in the browser's time zone.
        var next = await page.EvaluateAsync<string>("() => new Date('2028-02-29T06:00:00Z').toLocaleString()");
        await Assertions.Expect(schedule.Locator("td").Nth(6)).ToHaveTextAsync(next);
        await SaveAsync(page, "incident-list");

        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Completed");
        // The samples host declares the fire workflow's versions: a new incident is of the newest.
        await Assertions.Expect(page.Locator("#workflow-version")).ToHaveTextAsync(FireWorkflow.Version.ToString());
        var nodes = page.Locator("#graph svg g.node title");
        await Assertions.Expect(nodes).ToHaveCountAsync(steps.Select(s => s.Queue).Distinct().Count() + 1); // + the client that sent the entries
        var drawn = await nodes.AllTextContentsAsync();
        Assert.Equal([.. steps.Select(s => s.Queue).Append("client").Distinct().Order()], drawn.Order());

        var timeline = page.Locator("#timeline tr");
        await Assertions.Expect(timeline).ToHaveCountAsync(steps.Count);
        var shown = await timeline.AllInnerTextsAsync();
        foreach (var step in steps)
            Assert.Contains(shown, line => line.Contains(step.Queue) && line.Contains(step.Originator ?? "") && line.Contains("Completed"));
        await SaveAsync(page, "incident-completed");
    }

    [Fact]
    public async Task The_page_of_a_running_incident_updates_by_itself_and_its_Cancel_button_cancels_it()
    {
        // A fire incident given terrain data only: the simulation waits for the other inputs, so it runs until cancelled.
        var incident = await web.Client.CreateIncident("waiting fire", "FIRE");
        var page = await SignedInPageAsync(web.OperatorKey);
        await page.GotoAsync(new Uri(web.Silo.WebUrl, $"/incidents/{incident}").ToString());
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("live");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Pending");

        await web.Client.SendNow(FireWorkflow.FireTerrain, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString(), ["data"] = "terrain" });
        // No reload: the page learns of the steps from its event stream.
        await Assertions.Expect(page.Locator("#timeline tr")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync(FireWorkflow.FireSimulation);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Active");
        await Assertions.Expect(page.Locator("#graph svg")).ToContainTextAsync(FireWorkflow.FireSimulation);
        await SaveAsync(page, "incident-running");

        await page.FillAsync("#cancel-reason", "cancelled from the incident page");
        await page.ClickAsync("#cancel");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Cancelled");
        await SaveAsync(page, "incident-cancelled");

        var info = await web.Client.GetIncident(incident);
        Assert.Equal(IncidentStatus.Cancelled, info.Status);
        Assert.Equal("cancelled from the incident page", info.Reason);
    }

    [Fact]
    public async Task An_incident_past_its_deadline_shows_overdue_and_what_its_join_waits_for_and_sends_its_deadline_message_once()
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(3);
        var incident = await web.Client.CreateIncident("late fire", FireWorkflow.Kind, terms: new IncidentTerms { Deadline = deadline });
        await web.Client.SendNow(FireWorkflow.FireTerrain, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString(), ["data"] = "terrain" });
        var page = await SignedInPageAsync(web.ViewerKey);
        await page.GotoAsync(new Uri(web.Silo.WebUrl, $"/incidents/{incident}").ToString());

        await Assertions.Expect(page.Locator("#joins")).ToContainTextAsync($"waiting for: {FireWorkflow.FireHotspot}, {FireWorkflow.WeatherResults}", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#overdue")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await SaveAsync(page, "incident-overdue");

        var told = $"Fire incident {incident} is overdue";
        await web.Silo.WaitForLogAsync(told, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(web.Silo.Log.Split('\n'), line => line.Contains(told));
        var info = await web.Client.GetIncident(incident);
        Assert.True(info.Overdue);
        Assert.Equal(IncidentStatus.Active, info.Status);
        await web.Client.Cancel(incident, "test over");
    }

    [Fact]
    public async Task The_sign_in_link_opens_a_session_and_a_page_action_without_its_antiforgery_token_is_refused()
    {
        var incident = await web.Client.CreateIncident("guarded fire", "FIRE");
        var page = await (await _browser.NewContextAsync()).NewPageAsync();

        // No session: the page sends the browser to sign in, and back once signed in.
        await page.GotoAsync(new Uri(web.Silo.WebUrl, $"/incidents/{incident}").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?returnUrl="));
        await page.GotoAsync(new Uri(web.Silo.WebUrl, $"/signin?returnUrl=%2Fincidents%2F{incident}#key={web.AdminKey}").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(web.Silo.WebUrl, $"/incidents/{incident}").ToString());
        await Assertions.Expect(page.Locator("header .who")).ToHaveTextAsync("admin (admin)");
        Assert.DoesNotContain(web.AdminKey, page.Url);

        // The session cookie goes with any request from the page; without the page's token a change is refused.
        var forged = Answer(await page.EvaluateAsync<System.Text.Json.JsonElement>($$"""
            async () => {
              const r = await fetch('/api/incidents/{{incident}}/cancel', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reason: 'forged' }) });
              return { status: r.status, error: (await r.json()).error };
            }
            """));
        Assert.Equal(400, forged.Status);
        Assert.Contains("antiforgery", forged.Error);
        Assert.Equal(IncidentStatus.Pending, (await web.Client.GetIncident(incident)).Status);

        // With it (as the page's own script sends it), the same call is done.
        var real = Answer(await page.EvaluateAsync<System.Text.Json.JsonElement>($$"""
            async () => {
              try { await owf.json('/api/incidents/{{incident}}/cancel', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reason: 'from the page' }) }); return { status: 200, error: '' }; }
              catch (e) { return { status: 0, error: e.message }; }
            }
            """));
        Assert.True(real.Status == 200, real.Error);
        Assert.Equal(IncidentStatus.Cancelled, (await web.Client.GetIncident(incident)).Status);
        await web.Silo.WaitForLogAsync($"POST /api/incidents/{incident}/cancel by admin (admin): 200", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task An_operator_discards_a_dead_letter_from_the_incident_page()
    {
        var incident = await web.Client.CreateIncident("finished fire", "FIRE");
        await web.Client.Complete(incident);
        var messageId = $"late-{Guid.NewGuid():N}";
        // Too late: the incident is finished, so the adapter dead-letters it and the incident keeps the record.
        await web.Broker.PublishRawAsync(FireWorkflow.FireTerrain, $$"""{"IncidentID": "{{incident}}", "data": "late terrain"}""", messageId);
        await Eventually.UntilAsync(() => web.Client.GetDeadLetters(incident), l => l.Count == 1, TimeSpan.FromSeconds(30), "the late message to be dead-lettered");
        var page = await SignedInPageAsync(web.OperatorKey);

        await page.GotoAsync(new Uri(web.Silo.WebUrl, $"/incidents/{incident}").ToString());
        var row = page.Locator("#dead-letters tr", new() { HasText = messageId });
        await Assertions.Expect(row).ToContainTextAsync("Completed");
        await row.Locator("button.letter-discard").ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("discarded");
        await SaveAsync(page, "incident-dead-letter-discarded");

        var (_, letters) = await WebSiloFixture.GetAsync(web.Http, $"/api/dead-letters/{FireWorkflow.FireTerrain}");
        Assert.DoesNotContain(letters!.AsArray(), l => l!["messageId"]!.GetValue<string>() == messageId);
        await web.Silo.WaitForLogAsync($"POST /api/dead-letters/{FireWorkflow.FireTerrain}/{messageId}/discard by test-operator (operator): 200", TimeSpan.FromSeconds(60));
    }

    private sealed record Answered(int Status, string Error);

    private static Answered Answer(System.Text.Json.JsonElement answer) =>
        new(answer.GetProperty("status").GetInt32(), answer.GetProperty("error").GetString() ?? "");

    /// <summary>A page of a fresh browser context signed in with <paramref name="key"/> through the sign-in link.</summary>
    private async Task<IPage> SignedInPageAsync(string key)
    {
        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync(new Uri(web.Silo.WebUrl, $"/signin#key={key}").ToString());
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(web.Silo.WebUrl, "/incidents").ToString());
        return page;
    }

    private async Task SaveAsync(IPage page, string name)
    {
        var path = Path.Combine(Screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
