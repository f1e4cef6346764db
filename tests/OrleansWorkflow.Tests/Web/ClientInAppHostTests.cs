using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Web;

/// <summary>An ASP.NET Core app of its own registers the client in its DI, configured as a silo is, and drives an incident through it.</summary>
[Collection(WebCollection.Name)]
public sealed class ClientInAppHostTests(WebSiloFixture web)
{
    [Fact]
    public async Task An_aspnet_core_app_registers_the_client_in_its_own_di_and_creates_sends_to_and_watches_an_incident()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var port = TestServices.FreePort();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        // The keys a silo reads; the app's own code sets what only a client has.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RabbitMQ:Uri"] = web.Silo.BrokerUri,
            ["Cluster:GatewayPort"] = web.Silo.GatewayPort.ToString(),
            ["Cluster:ServiceId"] = web.Silo.ServiceId,
            ["Cluster:ClusterId"] = web.Silo.ServiceId,
        });
        builder.AddOrleansWorkflowClient(client =>
        {
            client.ApiKey = web.OperatorKey;
            client.Originator = "flood-desk";
        });
        await using var app = builder.Build();
        app.MapPost("/incidents", async (WorkflowClient client) =>
        {
            var incident = await client.CreateIncident("raised by the app", "AB");
            await client.SendNow(ABWorkflow.AQueue, new JsonObject { ["IncidentID"] = incident.ToString() });
            return incident;
        });
        app.MapGet("/incidents/{id:guid}", async (Guid id, WorkflowClient client) =>
        {
            var end = await client.WaitForEndAsync(id, TimeSpan.FromSeconds(60));
            return new { status = end.Status.ToString(), steps = (await client.GetSteps(id)).Select(s => s.Queue).ToArray() };
        });
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(90) };
        var incident = await (await http.PostAsync("/incidents", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<Guid>();
        var watched = await http.GetFromJsonAsync<JsonObject>($"/incidents/{incident}");

        Assert.Equal(nameof(IncidentStatus.Completed), watched!["status"]!.GetValue<string>());
        Assert.Equal([ABWorkflow.AQueue, ABWorkflow.BQueue], watched["steps"]!.AsArray().Select(q => q!.GetValue<string>()));
        // The incident was created by the app's client, as its operator key: the silo's audit names the key.
        Assert.Equal("AB", (await web.Client.GetIncident(incident)).Kind);
        await web.Silo.WaitForLogAsync(l => l.Contains("test-operator", StringComparison.Ordinal) && l.Contains(incident.ToString(), StringComparison.Ordinal),
            "the silo to log the app's change under the operator key", TimeSpan.FromSeconds(30));
        await app.StopAsync();
    }
}
