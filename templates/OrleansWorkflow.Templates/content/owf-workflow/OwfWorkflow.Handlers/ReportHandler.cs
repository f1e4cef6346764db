using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Handlers;

namespace OwfWorkflow.Handlers;

[HandlesQueue(Workflow.Report)]
public interface IReportHandler : IWorkflowHandler;

/// <summary>Keeps each report of the incident and passes it on to be assessed.</summary>
public sealed class ReportHandler : HandlerGrain, IReportHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        context.Logger.LogInformation("Report for incident {IncidentId}: {Data}", context.IncidentId, message["data"]?.ToJsonString());
        context.Persist.Put(new JsonObject { ["data"] = message["data"]?.DeepClone() });
        context.Send(Workflow.Assessment, new JsonObject { ["IncidentID"] = context.IncidentId.ToString(), ["reports"] = context.Persist.Get().Count });
        return Task.CompletedTask;
    }
}
