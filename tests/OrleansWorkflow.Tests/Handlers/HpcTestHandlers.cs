using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Tests.Handlers;

public interface IHpcSubmitHandler : IWorkflowHandler;
public interface IHpcEndHandler : IWorkflowHandler;
public interface IHpcReadHandler : IWorkflowHandler;
public interface IHpcEnsembleHandler : IWorkflowHandler;
public interface IDataFetchHandler : IWorkflowHandler;
public interface IDataJobEndHandler : IWorkflowHandler;
public interface IDataReadyHandler : IWorkflowHandler;
public interface IDataCopyHandler : IWorkflowHandler;

public static class HpcTestQueues
{
    /// <summary>
    /// Takes {"machine", "script", "time_limit_minutes"?} and submits the script as a simulation, with the placement
    /// and resources the message gives ("partition", "qos", "account", "reservation", "nodes", "tasks_per_node", "memory_mb").
    /// </summary>
    public const string Submit = "test_hpc_submit";

    /// <summary>Receives each simulation's end and persists it whole.</summary>
    public const string End = "test_hpc_end";

    /// <summary>
    /// Takes a simulation's end plus {"file", "handler_wkdir"?}, reads that file of the job (asking for it in
    /// "handler_wkdir" when given) and persists {"content"}.
    /// </summary>
    public const string Read = "test_hpc_read";

    /// <summary>
    /// Takes {"machine", "sleeps": [seconds per member], "needed"?, "tell_members"?, "within_minutes"?} and submits an ensemble, a member per
    /// entry: member i gets input.txt "member i" and sleep.txt, copies its input to seen.txt and sleeps that long. Its
    /// end (and its members' with tell_members) goes to <see cref="End"/>.
    /// </summary>
    public const string Ensemble = "test_hpc_ensemble";

    /// <summary>
    /// Takes {"machine", "url", "sha256"?, "output_bytes"}: has the machine fetch the URL as data "input" and submits a
    /// job that takes it as input.bin, writes its SHA-256 to input.sha256 and output_bytes random bytes to output.bin.
    /// </summary>
    public const string DataFetch = "test_data_fetch";

    /// <summary>The data job's end: persisted whole; its output.bin is kept as data "output".</summary>
    public const string DataJobEnd = "test_data_job_end";

    /// <summary>Hears when data is ready or failed and persists it; ready "output" is read whole, streamed: {"read_bytes", "read_sha256"}.</summary>
    public const string DataReady = "test_data_ready";

    /// <summary>Takes {"data", "machine", "as"}: copies the incident's data onto the machine under the new name; its readiness goes to <see cref="DataReady"/>.</summary>
    public const string DataCopy = "test_data_copy";

    public static IWorkflowBuilder AddHpcTestHandlers(this IWorkflowBuilder workflow) =>
        workflow.AddHandler<IHpcSubmitHandler>(Submit).AddHandler<IHpcEndHandler>(End).AddHandler<IHpcReadHandler>(Read).AddHandler<IHpcEnsembleHandler>(Ensemble)
            .AddHandler<IDataFetchHandler>(DataFetch).AddHandler<IDataJobEndHandler>(DataJobEnd).AddHandler<IDataReadyHandler>(DataReady).AddHandler<IDataCopyHandler>(DataCopy);
}

public sealed class HpcSubmitHandler : HandlerGrain, IHpcSubmitHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        var minutes = message["time_limit_minutes"]?.GetValue<int>();
        var request = new SimulationRequest
        {
            Machine = message["machine"]!.GetValue<string>(),
            Script = message["script"]!.GetValue<string>(),
            NotifyQueue = HpcTestQueues.End,
            TimeLimit = minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            Partition = message["partition"]?.GetValue<string>(),
            Qos = message["qos"]?.GetValue<string>(),
            Account = message["account"]?.GetValue<string>(),
            Reservation = message["reservation"]?.GetValue<string>(),
            Nodes = message["nodes"]?.GetValue<int>(),
            TasksPerNode = message["tasks_per_node"]?.GetValue<int>(),
            MemoryMegabytes = message["memory_mb"]?.GetValue<int>(),
            BeginAt = message["begin_in_s"]?.GetValue<int>() is { } wait ? DateTimeOffset.UtcNow.AddSeconds(wait) : null,
            NotifyOn = message["notify_on"]?.GetValue<string>() is { } notices ? Enum.Parse<SimulationNotices>(notices) : SimulationNotices.End,
            Files = new Dictionary<string, string> { ["input.txt"] = "input for the job\n" },
            Inputs = message["inputs"] is JsonObject inputs ? inputs.ToDictionary(i => i.Key, i => i.Value!.GetValue<string>()) : new Dictionary<string, string>(),
        };
        var simulationId = message["machines"] is JsonArray machines
            ? context.Simulations.Submit(request, [.. machines.Select(m => m!.GetValue<string>())], SubmitStrategy.FirstToStart)
            : context.Simulations.Submit(request);
        context.Persist.Put(new JsonObject { ["simulationId"] = simulationId.ToString() });
        return Task.CompletedTask;
    }
}

public sealed class HpcEndHandler : HandlerGrain, IHpcEndHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        context.Persist.Put(message);
        return Task.CompletedTask;
    }
}

public sealed class HpcReadHandler : HandlerGrain, IHpcReadHandler
{
    protected override async Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        var end = SimulationEnd.From(message);
        // A handler may name any directory; the engine reads from its own record of the job.
        if (message["handler_wkdir"]?.GetValue<string>() is { } elsewhere)
            end = end with { WorkingDirectory = elsewhere };
        var content = await context.Simulations.ReadFileAsync(end, message["file"]!.GetValue<string>());
        context.Persist.Put(new JsonObject { ["content"] = content });
    }
}

public sealed class HpcEnsembleHandler : HandlerGrain, IHpcEnsembleHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        var sleeps = message["sleeps"]!.AsArray().Select(s => s!.GetValue<int>()).ToList();
        var ensembleId = context.Simulations.Submit(new EnsembleRequest
        {
            Simulation = new SimulationRequest
            {
                Machine = message["machine"]!.GetValue<string>(),
                Script = "#!/bin/bash\ncp input.txt seen.txt\nsleep \"$(cat sleep.txt)\"\n",
                NotifyQueue = HpcTestQueues.End,
                TimeLimit = TimeSpan.FromMinutes(10),
                Inputs = message["inputs"] is JsonObject inputs ? inputs.ToDictionary(i => i.Key, i => i.Value!.GetValue<string>()) : new Dictionary<string, string>(),
            },
            Members = [.. sleeps.Select((seconds, i) => new Dictionary<string, string> { ["input.txt"] = $"member {i}\n", ["sleep.txt"] = $"{seconds}\n" })],
            Needed = message["needed"]?.GetValue<int>(),
            TellMembers = message["tell_members"]?.GetValue<bool>() ?? false,
            Within = message["within_minutes"]?.GetValue<int>() is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
        });
        context.Persist.Put(new JsonObject { ["simulationId"] = ensembleId.ToString() });
        return Task.CompletedTask;
    }
}

public sealed class DataFetchHandler : HandlerGrain, IDataFetchHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        var machine = message["machine"]!.GetValue<string>();
        context.Data.Fetch("input", new Uri(message["url"]!.GetValue<string>()), machine, message["sha256"]?.GetValue<string>(), HpcTestQueues.DataReady);
        context.Simulations.Submit(new SimulationRequest
        {
            Machine = machine,
            Script = $"#!/bin/bash\nsha256sum input.bin | cut -d' ' -f1 > input.sha256\nhead -c {message["output_bytes"]!.GetValue<long>()} /dev/urandom > output.bin\n",
            NotifyQueue = HpcTestQueues.DataJobEnd,
            TimeLimit = TimeSpan.FromMinutes(10),
            Inputs = new Dictionary<string, string> { ["input.bin"] = "input" },
        });
        return Task.CompletedTask;
    }
}

public sealed class DataJobEndHandler : HandlerGrain, IDataJobEndHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        context.Persist.Put(message);
        var end = SimulationEnd.From(message);
        if (end.Status == SimulationStatus.Completed)
            context.Data.Keep(end, "output.bin", "output", HpcTestQueues.DataReady);
        return Task.CompletedTask;
    }
}

public sealed class DataReadyHandler : HandlerGrain, IDataReadyHandler
{
    protected override async Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        var noticed = (JsonObject)message.DeepClone();
        if (message["data"]!.GetValue<string>() == "output" && message["status"]!.GetValue<string>() == "READY")
        {
            await using var data = await context.Data.OpenReadAsync("output");
            using var sha = System.Security.Cryptography.SHA256.Create();
            var buffer = new byte[81920];
            long bytes = 0;
            int count;
            while ((count = await data.ReadAsync(buffer, context.CancellationToken)) > 0)
            {
                sha.TransformBlock(buffer, 0, count, null, 0);
                bytes += count;
            }
            sha.TransformFinalBlock([], 0, 0);
            noticed["read_bytes"] = bytes;
            noticed["read_sha256"] = Convert.ToHexStringLower(sha.Hash!);
        }
        context.Persist.Put(noticed);
    }
}

public sealed class DataCopyHandler : HandlerGrain, IDataCopyHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        context.Data.Copy(message["data"]!.GetValue<string>(), message["machine"]!.GetValue<string>(), message["as"]!.GetValue<string>(), HpcTestQueues.DataReady);
        return Task.CompletedTask;
    }
}
