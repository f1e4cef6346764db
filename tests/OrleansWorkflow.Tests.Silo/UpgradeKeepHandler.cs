using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Tests.Silo;

/// <summary>
/// For the upgrade tests: the handler whose rows 7422519 recorded (Storage/Recorded/fire-and-keep-7422519.sql), as
/// it was then: keeps {"kept": ...} as a document, prints all it kept, sends them to upgrade_sink, completes on
/// "complete".
/// </summary>
public interface IUpgradeKeepHandler : IWorkflowHandler;

public sealed class UpgradeKeepHandler : HandlerGrain, IUpgradeKeepHandler
{
    public const string Queue = "upgrade_keep";
    public const string Sink = "upgrade_sink";

    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        context.Persist.Put(new JsonObject { ["kept"] = message["kept"]?.DeepClone() });
        var kept = string.Join(",", context.Persist.Get().Select(d => d["kept"]?.GetValue<string>()));
        Console.WriteLine($"Kept by incident {context.IncidentId}: {kept}");
        context.Send(Sink, new JsonObject { ["IncidentID"] = context.IncidentId.ToString(), ["kept"] = kept });
        if (message["complete"]?.GetValue<bool>() == true)
            context.Complete();
        return Task.CompletedTask;
    }
}
