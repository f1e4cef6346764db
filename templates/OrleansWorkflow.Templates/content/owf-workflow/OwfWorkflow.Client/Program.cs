using System.Text.Json.Nodes;
using OrleansWorkflow.Client;

// Starts one incident, sends it a report and waits for it to end. The silo and broker are found through OWF_*
// environment variables (OWF_RabbitMQ__Uri, OWF_Cluster__GatewayPort, OWF_Cluster__ServiceId, ...); the defaults
// are a silo and a broker on this machine.
const string Kind = "OwfWorkflow";
await using var workflow = await WorkflowClient.ConnectAsync(WorkflowClientOptions.FromEnvironment());

var incidentId = await workflow.CreateIncident(args.FirstOrDefault() ?? "first incident", Kind);
await workflow.SendNow("report", new JsonObject { ["IncidentID"] = incidentId.ToString(), ["data"] = "water at 2.1 m" });
Console.WriteLine($"Incident {incidentId} started");

var end = await workflow.WaitForEndAsync(incidentId, TimeSpan.FromMinutes(2));
Console.WriteLine($"Incident {incidentId} {end.Status}");
return end.Status == OrleansWorkflow.Incidents.IncidentStatus.Completed ? 0 : 1;
