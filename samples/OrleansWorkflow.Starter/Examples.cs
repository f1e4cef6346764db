using System.Text.Json.Nodes;
using OrleansWorkflow.Client;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Samples.Fire;

namespace OrleansWorkflow.Samples.Starter;

public static class Examples
{
    /// <summary>As the original's example.py: a "test fire" incident fed with data on terrain, hotspot and weather.</summary>
    public static async Task<Guid> StartFireAsync(WorkflowClient workflow, bool remote = false, Incidents.IncidentUrgency urgency = Incidents.IncidentUrgency.Routine)
    {
        var incidentId = await workflow.CreateIncident("test fire", FireWorkflow.Kind, terms: new Incidents.IncidentTerms { Urgency = urgency });
        foreach (var queue in FireWorkflow.Entry)
            await workflow.Send(queue, new JsonObject { ["IncidentID"] = incidentId.ToString(), ["data"] = "some data", ["remote"] = remote });
        await workflow.FlushMessages();
        return incidentId;
    }

    public static async Task<Guid> StartABAsync(WorkflowClient workflow)
    {
        var incidentId = await workflow.CreateIncident("some name", "DUMMY_INCIDENT");
        await workflow.Send(ABWorkflow.AQueue, new JsonObject { ["IncidentID"] = incidentId.ToString() });
        await workflow.FlushMessages();
        return incidentId;
    }
}
