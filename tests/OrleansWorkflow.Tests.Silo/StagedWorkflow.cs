using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Tests.Silo;

/// <summary>
/// A workflow whose path changed between its versions, for the engine's upgrade tests: staged_start sends incidents of
/// version 1 on to staged_old and those of version 2 to staged_new, each of which completes its incident. This host
/// runs the versions its "Staged" section names (Staged:Oldest, Staged:Newest, default 1 to 2): test configuration of
/// this test host, so two silos of one build can stand for two releases.
/// </summary>
public static class StagedWorkflow
{
    public const string Kind = "STAGED";
    public const string Start = "staged_start";
    public const string Old = "staged_old";
    public const string New = "staged_new";

    public static IWorkflowBuilder AddStagedWorkflow(this IWorkflowBuilder engine) => engine
        .AddHandler<IStagedStartHandler>(Start)
        .AddHandler<IStagedOldHandler>(Old)
        .AddHandler<IStagedNewHandler>(New)
        .AddWorkflowVersions(Kind, newest: engine.Configuration.GetValue("Staged:Newest", 2), oldest: engine.Configuration.GetValue("Staged:Oldest", 1));
}

public interface IStagedStartHandler : IWorkflowHandler;
public interface IStagedOldHandler : IWorkflowHandler;
public interface IStagedNewHandler : IWorkflowHandler;

/// <summary>Prints which version it ran (the tests count the lines of each silo), works a while, and goes on.</summary>
public abstract class StagedHandler : HandlerGrain
{
    protected override async Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        Console.WriteLine($"Staged {context.Queue} of incident {context.IncidentId} at version {context.WorkflowVersion}");
        await Task.Delay(ServiceProvider.GetRequiredService<IConfiguration>().GetValue("Staged:WorkTime", TimeSpan.FromMilliseconds(200)), context.CancellationToken);
        Next(message, context);
    }

    protected abstract void Next(JsonObject message, IHandlerContext context);
}

public sealed class StagedStartHandler : StagedHandler, IStagedStartHandler
{
    protected override void Next(JsonObject message, IHandlerContext context) =>
        context.Send(context.WorkflowVersion >= 2 ? StagedWorkflow.New : StagedWorkflow.Old, message);
}

public sealed class StagedOldHandler : StagedHandler, IStagedOldHandler
{
    protected override void Next(JsonObject message, IHandlerContext context) => context.Complete();
}

public sealed class StagedNewHandler : StagedHandler, IStagedNewHandler
{
    protected override void Next(JsonObject message, IHandlerContext context) => context.Complete();
}
