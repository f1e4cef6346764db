using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Samples.AB;

// The seed's smallest workflow: Start -> A -> B -> End.

[HandlesQueue(ABWorkflow.AQueue)] public interface IAHandler : IWorkflowHandler;

[HandlesQueue(ABWorkflow.BQueue)] public interface IBHandler : IWorkflowHandler;

public sealed class AHandler : HandlerGrain, IAHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        Console.WriteLine("Hello from A");
        context.Send(ABWorkflow.BQueue, message);
        return Task.CompletedTask;
    }
}

public sealed class BHandler : HandlerGrain, IBHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        Console.WriteLine("Hello from B");
        context.Complete();
        return Task.CompletedTask;
    }
}
