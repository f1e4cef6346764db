using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using OrleansWorkflow.Client;
using OrleansWorkflow.Samples.AB;

// Usage: owf-example ab
// Connects to the silo and broker named by OWF_* environment variables (defaults: this machine).

var example = args.FirstOrDefault() ?? "ab";
if (example != "ab")
{
    Console.Error.WriteLine($"Unknown example \"{example}\". Known: ab.");
    return 2;
}

var configuration = new ConfigurationBuilder().AddEnvironmentVariables("OWF_").Build();
var options = new WorkflowClientOptions();
configuration.GetSection("RabbitMQ").Bind(options.RabbitMq);
configuration.GetSection("Cluster").Bind(options);

await using var workflow = await WorkflowClient.ConnectAsync(options);
var incidentId = await workflow.CreateIncident("some name", "DUMMY_INCIDENT");
Console.WriteLine($"Created incident {incidentId}");
await workflow.Send(ABWorkflow.AQueue, new JsonObject { ["IncidentID"] = incidentId.ToString() });
await workflow.FlushMessages();
Console.WriteLine($"Sent the first message to {ABWorkflow.AQueue}; waiting for the incident to finish");

var end = await workflow.WaitForEndAsync(incidentId, TimeSpan.FromMinutes(2));
Console.WriteLine($"Incident {incidentId} {end.Status}");
return end.Status == OrleansWorkflow.Incidents.IncidentStatus.Completed ? 0 : 1;
