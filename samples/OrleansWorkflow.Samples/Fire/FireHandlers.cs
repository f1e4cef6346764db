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
/// The join: the simulation runs once terrain, hotspot and weather results have all reported (the engine's join
/// fires exactly once), or, when the incident's "inputs_timeout" or Fire:InputsTimeout is set, once that time passed
/// with what arrived.
/// </summary>
public sealed class FireSimulationHandler : SampleHandler, IFireSimulationHandler
{
    private static readonly Dictionary<string, string> Lines = new()
    {
        [FireWorkflow.FireHotspot] = "   Hotspot data available",
        [FireWorkflow.FireTerrain] = "   Terrain data available",
        [FireWorkflow.WeatherResults] = "   Weather data available",
    };

    protected override async Task RunAsync(JsonObject message, IHandlerContext context)
    {
        Say("In fire simulation handler");
        var inputs = context.Join(FireWorkflow.FireInputs, [.. Lines.Keys], timeout: InputsTimeoutOf(message));
        var (arrived, firesNow, hasFired) = context.WorkflowVersion < 2
            ? WithInputsKeptAsDocuments(inputs, context.Persist)
            : (inputs.Arrived, inputs.FiresNow, inputs.HasFired);
        foreach (var input in arrived)
            Say(Lines[input]);

        if (!firesNow)
        {
            if (!hasFired)
                Say("Will do nothing - waiting for data");
            return;
        }
        if (inputs.TimedOut)
            Say($"   Waited long enough: going on without {string.Join(", ", inputs.Missing)}");

        // What goes on is the message that fired the join; a timeout carries no data of its own, so then the newest input.
        var forwarded = (inputs.TimedOut && inputs.Arrived.Count > 0 ? inputs.Inputs[inputs.Arrived[^1]] : message).DeepClone().AsObject();
        if (forwarded["remote"]?.GetValue<bool>() == true)
        {
            Say("Will execute fire simulation remotely");
            context.Send(FireWorkflow.FireSubmitJob, forwarded);
            return;
        }

        Say("Will execute fire simulation locally");
        await WorkAsync(context);
        forwarded["results"] = "lots of fire - simulated locally!";
        context.Send(FireWorkflow.FireResults, forwarded);
    }

    /// <summary>
    /// How long this incident's simulation waits for its inputs: as its first input says ("inputs_timeout", a duration
    /// like "00:10:00": an emergency may not wait for slow data), else Fire:InputsTimeout.
    /// </summary>
    private TimeSpan? InputsTimeoutOf(JsonObject message) =>
        message["inputs_timeout"]?.GetValue<string>() is { } given ? TimeSpan.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : Settings.InputsTimeout;

    /// <summary>
    /// The join of version 1 (incidents begun before versions were recorded): until 4c191bb this handler kept each input
    /// as a Persist document {"originator": ...} and wrote {"simulation": "started"} when it ran; those count beside the
    /// inputs context.Join took since. Retire it (and declare oldest version 2) once no running fire incident is of version 1.
    /// </summary>
    private static (IReadOnlyList<string> Arrived, bool FiresNow, bool HasFired) WithInputsKeptAsDocuments(IJoin inputs, IPersist persist)
    {
        var documents = persist.Get();
        var kept = documents.Select(d => d["originator"]?.GetValue<string>()).OfType<string>().Where(Lines.ContainsKey);
        var arrived = kept.Concat(inputs.Arrived).Distinct().ToList();
        if (documents.Any(d => d["simulation"] is not null))
            return (arrived, false, true);
        if (inputs.HasFired)
            return (arrived, inputs.FiresNow, true);
        var complete = Lines.Keys.All(arrived.Contains);
        if (complete)
            persist.Put(new JsonObject { ["simulation"] = "started" });
        return (arrived, complete, complete);
    }
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
