using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Handlers;

namespace OwfWorkflow.Handlers;

[HandlesQueue(Workflow.Assessment)]
public interface IAssessmentHandler : IWorkflowHandler;

/// <summary>Assesses the reports so far and completes the incident.</summary>
public sealed class AssessmentHandler : HandlerGrain, IAssessmentHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        context.Logger.LogInformation("Assessed incident {IncidentId} on {Reports} report(s)", context.IncidentId, message["reports"]?.GetValue<int>());
        context.Complete();
        return Task.CompletedTask;
    }
}
