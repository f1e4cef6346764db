using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Tests.Handlers;

public interface IRecordingHandler : IWorkflowHandler;
public interface IOtherRecordingHandler : IWorkflowHandler;
public interface IBranchHandler : IWorkflowHandler;
public interface IJoinHandler : IWorkflowHandler;
public interface IFailingHandler : IWorkflowHandler;
public interface IEngineJoinHandler : IWorkflowHandler;
public interface ISendLaterHandler : IWorkflowHandler;

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
    /// <summary>A join through context.Join over the three branches (needed and timeout_ms from the first input).</summary>
    public const string EngineJoin = "test_engine_join";
    /// <summary>Sends {"step"} to test_record after "after_ms" (SendAfter) or at "at" (SendAt).</summary>
    public const string SendLater = "test_send_later";
    /// <summary>Incidents of this kind send their passed deadline to test_record.</summary>
    public const string DeadlineKind = "test-deadline";

    public static IWorkflowBuilder AddTestHandlers(this IWorkflowBuilder workflow)
    {
        workflow.AddHandler<IRecordingHandler>(Record)
                .AddHandler<IOtherRecordingHandler>(OtherRecord)
                .AddHandler<IRecordingHandler>(BadInput)
                .AddHandler<IRecordingHandler>(FlakyWrite)
                .AddHandler<IJoinHandler>(Join)
                .AddHandler<IFailingHandler>(Fail)
                .AddHandler<IEngineJoinHandler>(EngineJoin)
                .AddHandler<ISendLaterHandler>(SendLater)
                .OnDeadline(DeadlineKind, Record);
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
        Probe.Runs.Add(new Probe.Run(context.Queue, context.IncidentId, start, DateTime.UtcNow, message.ToJsonString()));
    }
}

public sealed class RecordingHandler : RecordingHandlerBase, IRecordingHandler;

public sealed class OtherRecordingHandler : RecordingHandlerBase, IOtherRecordingHandler;

/// <summary>One branch of a fan-in: passes the incident on to the join.</summary>
public sealed class BranchHandler : HandlerGrain, IBranchHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        context.Send(message["join_queue"]?.GetValue<string>() ?? TestQueues.Join, new JsonObject
        {
            ["IncidentID"] = context.IncidentId.ToString(),
            ["needed"] = message["needed"]?.DeepClone(),
            ["timeout_ms"] = message["timeout_ms"]?.DeepClone(),
        });
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

/// <summary>The three branches joined by the engine's join: records each firing (what arrived, whether it timed out).</summary>
public sealed class EngineJoinHandler : HandlerGrain, IEngineJoinHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        var join = context.Join("branches", TestQueues.Branches,
            timeout: message["timeout_ms"]?.GetValue<int>() is int ms ? TimeSpan.FromMilliseconds(ms) : null,
            needed: message["needed"]?.GetValue<int>());
        Probe.Runs.Add(new Probe.Run(context.Queue, context.IncidentId, DateTime.UtcNow, DateTime.UtcNow, message.ToJsonString()));
        if (join.FiresNow)
            Probe.JoinFirings.Add(new Probe.Firing(context.IncidentId, [.. join.Arrived], join.TimedOut, DateTime.UtcNow));
        return Task.CompletedTask;
    }
}

/// <summary>Sends {"step"} to test_record later: "after_ms" with SendAfter, or "at" with SendAt.</summary>
public sealed class SendLaterHandler : HandlerGrain, ISendLaterHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        var later = new JsonObject { ["IncidentID"] = context.IncidentId.ToString(), ["step"] = message["step"]?.DeepClone() };
        if (message["at"]?.GetValue<DateTimeOffset>() is { } at)
            context.SendAt(at, TestQueues.Record, later);
        else
            context.SendAfter(TimeSpan.FromMilliseconds(message["after_ms"]?.GetValue<int>() ?? 0), TestQueues.Record, later);
        if (message["fail"]?.GetValue<bool>() == true)
            throw new InvalidOperationException("simulated failure after SendAfter");
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
