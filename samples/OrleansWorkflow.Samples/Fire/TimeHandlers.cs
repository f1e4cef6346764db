using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Samples.Fire;

[HandlesQueue(FireWorkflow.FireWatch)] public interface IFireWatchHandler : IWorkflowHandler;
[HandlesQueue(FireWorkflow.FireOverdue)] public interface IFireOverdueHandler : IWorkflowHandler;

/// <summary>
/// A watch on a fire: {"after_s": 30} sets it, and the same queue gets a check 30 s later, kept in storage meanwhile
/// (a silo restart does not lose it); a check reports itself and, with "complete": true, completes the incident.
/// </summary>
public sealed class FireWatchHandler : SampleHandler, IFireWatchHandler
{
    protected override Task RunAsync(JsonObject message, IHandlerContext context)
    {
        if (message["check"]?.GetValue<bool>() == true)
        {
            Say($"Fire watch check of incident {context.IncidentId}");
            if (message["complete"]?.GetValue<bool>() == true)
                context.Complete();
            return Task.CompletedTask;
        }

        var after = TimeSpan.FromSeconds(message["after_s"]?.GetValue<double>() ?? 60);
        var check = message.DeepClone().AsObject();
        check.Remove("after_s");
        check["check"] = true;
        context.SendAfter(after, FireWorkflow.FireWatch, check);
        Say($"Fire watch set: next check in {after.TotalSeconds:0} s");
        return Task.CompletedTask;
    }
}

/// <summary>A fire incident passed its deadline unfinished: tells the operator.</summary>
public sealed class FireOverdueHandler : SampleHandler, IFireOverdueHandler
{
    protected override Task RunAsync(JsonObject message, IHandlerContext context)
    {
        Say($"Fire incident {context.IncidentId} is overdue: its deadline was {message["deadline"]}");
        return Task.CompletedTask;
    }
}
