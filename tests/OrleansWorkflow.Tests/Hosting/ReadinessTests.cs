using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Hosting;

[CollectionDefinition(Name)]
public sealed class ReadinessCollection
{
    public const string Name = "readiness-database";
}

/// <summary>/readyz and /healthz of a real silo whose PostgreSQL server (one of the test's own) stops and comes back.</summary>
[Collection(ReadinessCollection.Name)]
public sealed class ReadinessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Readyz_turns_unhealthy_within_10_seconds_of_the_database_stopping_and_healthy_after_it_returns_while_healthz_stays_healthy()
    {
        await using var database = await PrivatePostgres.StartAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database.ConnectionString, database.Name, broker);
        using var http = new HttpClient { BaseAddress = silo.WebUrl, Timeout = TimeSpan.FromSeconds(30) };
        var ready = await Eventually.UntilAsync(() => ReadAsync(http, "/readyz"), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/readyz before the outage");
        Assert.Equal("Healthy", ready.Checks["database"]);
        Assert.Equal("Healthy", ready.Checks["broker"]);
        Assert.Equal("Healthy", ready.Checks["membership"]);

        await database.StopAsync();
        var stopped = Stopwatch.StartNew();
        var down = await Eventually.UntilAsync(() => ReadAsync(http, "/readyz"), r => r.Status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(60), "/readyz to say the database is down");
        var noticed = stopped.Elapsed;
        Assert.Equal("Unhealthy", down.Checks["database"]);
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(http, "/healthz")).Status);

        await database.StartAgainAsync();
        await Eventually.UntilAsync(() => ReadAsync(http, "/readyz"), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/readyz after the database is back");
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(http, "/healthz")).Status);
        output.WriteLine($"/readyz said Unhealthy {noticed.TotalSeconds:0.0} s after PostgreSQL stopped");
    }

    private sealed record Health(HttpStatusCode Status, Dictionary<string, string> Checks);

    private static async Task<Health> ReadAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!);
        return new Health(response.StatusCode, checks);
    }
}
