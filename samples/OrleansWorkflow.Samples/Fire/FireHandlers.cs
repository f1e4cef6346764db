using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Samples.Fire;

[HandlesQueue(FireWorkflow.FireTerrain)] public interface IFireTerrainHandler : IWorkflowHandler;
[HandlesQueue(FireWorkflow.FireHotspot)] public interface IFireHotspotHandler : IWorkflowHandler;
[HandlesQueue(FireWorkflow.FireSimulation)] public interface IFireSimulationHandler : IWorkflowHandler;
[HandlesQueue(FireWorkflow.FireResults)] public interface IFireResultsHandler : IWorkflowHandler;

public sealed class FireTerrainHandler : RelayHandler, IFireTerrainHandler
{
    protected override string Greeting => "In Fire terrain handler";
    protected override string Next => FireWorkflow.FireSimulation;
}

public sealed class FireHotspotHandler : RelayHandler, IFireHotspotHandler
{
    protected override string Greeting => "In Fire hotspot handler";
    protected override string Next => FireWorkflow.FireSimulation;
}

/// <summary>
/// The join: every input persists who reported it; the simulation runs once terrain, hotspot and weather
/// results have all reported, and never a second time.
/// </summary>
public sealed class FireSimulationHandler : SampleHandler, IFireSimulationHandler
{
    private static readonly (string Originator, string Line)[] Inputs =
    [
        (FireWorkflow.FireHotspot, "   Hotspot data available"),
        (FireWorkflow.FireTerrain, "   Terrain data available"),
        (FireWorkflow.WeatherResults, "   Weather data available"),
    ];

    protected override async Task RunAsync(JsonObject message, IHandlerContext context)
    {
        Say("In fire simulation handler");
        var originator = message["originator"]?.GetValue<string>();
        context.Persist.Put(new JsonObject { ["originator"] = originator });

        var documents = context.Persist.Get();
        var reported = documents.Select(d => d["originator"]?.GetValue<string>()).ToHashSet();
        foreach (var (input, line) in Inputs.Where(i => reported.Contains(i.Originator)).OrderBy(i => Arrival(documents, i.Originator)))
            Say(line);

        if (documents.Any(d => d["simulation"] is not null))
            return;
        if (!Inputs.All(i => reported.Contains(i.Originator)))
        {
            Say("Will do nothing - waiting for data");
            return;
        }

        context.Persist.Put(new JsonObject { ["simulation"] = "started" });
        if (message["remote"]?.GetValue<bool>() == true)
        {
            Say("Will execute fire simulation remotely");
            context.Send(FireWorkflow.FireSubmitJob, message.DeepClone().AsObject());
            return;
        }

        Say("Will execute fire simulation locally");
        await WorkAsync(context);
        var results = message.DeepClone().AsObject();
        results["results"] = "lots of fire - simulated locally!";
        context.Send(FireWorkflow.FireResults, results);
    }

    private static int Arrival(IReadOnlyList<JsonObject> documents, string originator) =>
        documents.ToList().FindIndex(d => d["originator"]?.GetValue<string>() == originator);
}

public sealed class FireResultsHandler : SampleHandler, IFireResultsHandler
{
    protected override Task RunAsync(JsonObject message, IHandlerContext context)
    {
        Say("Fire simulation results available!");
        Say("Simulation results are:");
        Say(new string('-', 80));
        Say(message["results"]?.GetValue<string>() ?? "(no results in the message)");
        Say(new string('-', 80));
        context.Complete();
        return Task.CompletedTask;
    }
}
