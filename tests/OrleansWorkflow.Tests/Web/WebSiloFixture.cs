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

    public SiloProcess Silo { get; private set; } = null!;
    public WorkflowClient Client { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Handler work of the fire sample here: long enough to watch an incident run, short enough for tests.</summary>
    public static readonly TimeSpan WorkTime = TimeSpan.FromMilliseconds(700);

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _broker = await TestVirtualHost.CreateAsync();
        Silo = await SiloProcess.StartAsync(_database, _broker, new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = WorkTime.ToString() });
        await Silo.WaitForLogAsync("Incident pages on", TimeSpan.FromSeconds(30));
        Client = await Silo.ConnectAsync();
        Http = new HttpClient { BaseAddress = Silo.WebUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>POSTs a JSON body (raw text, so tests can send malformed ones) and returns the status and the parsed answer.</summary>
    public async Task<(int Status, JsonNode? Body)> PostAsync(string path, string body)
    {
        using var response = await Http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, await ParseAsync(response));
    }

    public async Task<(int Status, JsonNode? Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return ((int)response.StatusCode, await ParseAsync(response));
    }

    private static async Task<JsonNode?> ParseAsync(HttpResponseMessage response)
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
    }
}
