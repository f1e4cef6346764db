using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansWorkflow.Client;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Web;

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebSiloFixture>
{
    public const string Name = "web";
}

/// <summary>One real owf-silo with its web view (incident pages, HTTP API, dashboard) on a port of its own, shared by the web tests.</summary>
public sealed class WebSiloFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private TestVirtualHost? _broker;

    public TestVirtualHost Broker => _broker!;

    public string DatabaseConnectionString => _database!.ConnectionString;

    public SiloProcess Silo { get; private set; } = null!;
    public WorkflowClient Client { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Handler work of the fire sample here: long enough to watch an incident run, short enough for tests.</summary>
    public static readonly TimeSpan WorkTime = TimeSpan.FromMilliseconds(700);

    /// <summary>The admin key the silo created at its first start (no key is configured), read from its key file.</summary>
    public string AdminKey { get; private set; } = "";

    /// <summary>Keys the admin created through the API, one per role below admin.</summary>
    public string ViewerKey { get; private set; } = "";
    public string OperatorKey { get; private set; } = "";

    /// <summary>Limits set low, so tests reach them quickly.</summary>
    public const int MutationsPerSecond = 20;
    public const int EventStreamsPerPrincipal = 4;

    /// <summary>The schedule the silo is configured with: a drill on 29 February at 06:00 in Lisbon.</summary>
    public const string Schedule = "leap-day-drill";

    /// <summary>Where the silo wrote its admin key.</summary>
    public string AdminKeyFile { get; } = Path.Combine(Path.GetTempPath(), $"owf-web-{Guid.NewGuid():N}", "admin-key");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _broker = await TestVirtualHost.CreateAsync();
        Silo = await SiloProcess.StartAsync(_database, _broker, new Dictionary<string, string>
        {
            ["OWF_Fire__WorkTime"] = WorkTime.ToString(),
            ["OWF_Web__AdminKeyFile"] = AdminKeyFile,
            ["OWF_Web__MutationsPerSecond"] = MutationsPerSecond.ToString(),
            ["OWF_Web__MaxEventStreamsPerPrincipal"] = EventStreamsPerPrincipal.ToString(),
            // A schedule for the pages to show, which never fires while tests run.
            [$"OWF_Workflow__Schedules__{Schedule}__Cron"] = "0 6 29 2 *",
            [$"OWF_Workflow__Schedules__{Schedule}__TimeZone"] = "Europe/Lisbon",
            [$"OWF_Workflow__Schedules__{Schedule}__Kind"] = "TEST",
        });
        await Silo.WaitForLogAsync("created the admin key", TimeSpan.FromSeconds(30));
        AdminKey = (await File.ReadAllTextAsync(AdminKeyFile)).Trim();
        Client = await Silo.ConnectAsync();
        using (var admin = HttpAs(AdminKey))
        {
            ViewerKey = await CreateKeyAsync(admin, "test-viewer", "viewer");
            OperatorKey = await CreateKeyAsync(admin, "test-operator", "operator");
        }
        Http = HttpAs(OperatorKey);
    }

    /// <summary>A client of the web view that sends <paramref name="key"/> (none: an anonymous caller).</summary>
    public HttpClient HttpAs(string? key)
    {
        var http = new HttpClient { BaseAddress = Silo.WebUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public async Task<string> CreateKeyAsync(string name, string role)
    {
        using var admin = HttpAs(AdminKey);
        return await CreateKeyAsync(admin, name, role);
    }

    private static async Task<string> CreateKeyAsync(HttpClient admin, string name, string role)
    {
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name, role });
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 201)
            throw new InvalidOperationException($"POST /api/keys answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["key"]!.GetValue<string>();
    }

    /// <summary>POSTs a JSON body (raw text, so tests can send malformed ones) and returns the status and the parsed answer.</summary>
    public Task<(int Status, JsonNode? Body)> PostAsync(string path, string body) => PostAsync(Http, path, body);

    public static async Task<(int Status, JsonNode? Body)> PostAsync(HttpClient http, string path, string body, string contentType = "application/json")
    {
        using var response = await http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, contentType));
        return ((int)response.StatusCode, await ParseAsync(response));
    }

    public Task<(int Status, JsonNode? Body)> GetAsync(string path) => GetAsync(Http, path);

    public static async Task<(int Status, JsonNode? Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return ((int)response.StatusCode, await ParseAsync(response));
    }

    public static async Task<JsonNode?> ParseAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Client is not null)
            await Client.DisposeAsync();
        if (Silo is not null)
            await Silo.DisposeAsync();
        if (_broker is not null)
            await _broker.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        if (Directory.Exists(Path.GetDirectoryName(AdminKeyFile)))
            Directory.Delete(Path.GetDirectoryName(AdminKeyFile)!, recursive: true);
    }
}
