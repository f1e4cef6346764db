using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Tests.Handlers;

public interface IRecordingHandler : IWorkflowHandler;
public interface IOtherRecordingHandler : IWorkflowHandler;
public interface IBranchHandler : IWorkflowHandler;
public interface IJoinHandler : IWorkflowHandler;
public interface IFailingHandler : IWorkflowHandler;

public static class TestQueues
{
    public const string Record = "test_record";
    public const string OtherRecord = "test_record_other";
    public const string BadInput = "test_bad_input";
    public const string Join = "test_join";
    public static readonly string[] Branches = ["test_branch_terrain", "test_branch_hotspot", "test_branch_weather"];
    public const string Fail = "test_fail";
    public const string FailSink = "test_fail_sink";
    /// <summary>A recording handler whose state write reports an error once per message after it committed (Faults:FailAfterStateWrite).</summary>
    public const string FlakyWrite = "test_flaky_write";

    public static IWorkflowBuilder AddTestHandlers(this IWorkflowBuilder workflow)
    {
        workflow.AddHandler<IRecordingHandler>(Record)
                .AddHandler<IOtherRecordingHandler>(OtherRecord)
                .AddHandler<IRecordingHandler>(BadInput)
                .AddHandler<IRecordingHandler>(FlakyWrite)
                .AddHandler<IJoinHandler>(Join)
                .AddHandler<IFailingHandler>(Fail);
        foreach (var branch in Branches)
            workflow.AddHandler<IBranchHandler>(branch);
        return workflow.AddHpcTestHandlers();
    }
}

/// <summary>
/// Records when it ran; persists {"step": ...} when the message has a step; waits "delay_ms";
/// forwards to "send_to" (padded with "pad_bytes" characters); completes the incident when "complete" is true.
/// </summary>
public abstract class RecordingHandlerBase : HandlerGrain
{
    protected override async Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        var start = DateTime.UtcNow;
        if (message["delay_ms"]?.GetValue<int>() is int delay)
            await Task.Delay(delay);
        if (message["step"] is JsonNode step)
            context.Persist.Put(new JsonObject { ["step"] = step.DeepClone() });
        if (message["send_to"]?.GetValue<string>() is string next)
            context.Send(next, new JsonObject
            {
                ["IncidentID"] = context.IncidentId.ToString(),
                ["pad"] = new string('x', message["pad_bytes"]?.GetValue<int>() ?? 0),
            });
        if (message["complete"]?.GetValue<bool>() == true)
            context.Complete();
        Probe.Runs.Add(new Probe.Run(context.Queue, context.IncidentId, start, DateTime.UtcNow));
    }
}

public sealed class RecordingHandler : RecordingHandlerBase, IRecordingHandler;

public sealed class OtherRecordingHandler : RecordingHandlerBase, IOtherRecordingHandler;

/// <summary>One branch of a fan-in: passes the incident on to the join.</summary>
public sealed class BranchHandler : HandlerGrain, IBranchHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        context.Send(TestQueues.Join, new JsonObject { ["IncidentID"] = context.IncidentId.ToString() });
        return Task.CompletedTask;
    }
}

/// <summary>Joins three branches the way the original's fire simulation handler does: through Persist.</summary>
public sealed class JoinHandler : HandlerGrain, IJoinHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        context.Persist.Put(new JsonObject { ["originator"] = message["originator"]?.DeepClone() });
        var reported = context.Persist.Get().Select(d => d["originator"]?.GetValue<string>()).Distinct().Count();
        if (reported == TestQueues.Branches.Length)
        {
            Probe.JoinFired.AddOrUpdate(context.IncidentId, 1, (_, n) => n + 1);
            context.Complete();
        }

        return Task.CompletedTask;
    }
}

/// <summary>Sends a message, then always throws: the send must never leave.</summary>
public sealed class FailingHandler : HandlerGrain, IFailingHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        Probe.FailedAttempts.AddOrUpdate(context.IncidentId, 1, (_, n) => n + 1);
        context.Send(TestQueues.FailSink, new JsonObject { ["IncidentID"] = context.IncidentId.ToString() });
        throw new InvalidOperationException("simulated failure in test_fail");
    }
}
