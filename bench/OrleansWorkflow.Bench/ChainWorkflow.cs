using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Bench;

public interface IChainHandler : IWorkflowHandler;

/// <summary>
/// E1's workflow: bench_chain_1 -> bench_chain_2 -> ... -> bench_chain_N -> bench_chain_sink. Every hop is a
/// handler with persisted state (one small document per message) that passes the message on.
/// </summary>
public static class ChainWorkflow
{
    public const string Sink = "bench_chain_sink";

    public static string Queue(int hop) => $"bench_chain_{hop}";

    public static int HopOf(string queue) => int.Parse(queue["bench_chain_".Length..]);

    public static IWorkflowBuilder AddChainWorkflow(this IWorkflowBuilder workflow, int length)
    {
        for (var hop = 1; hop <= length; hop++)
            workflow.AddHandler<IChainHandler>(Queue(hop));
        return workflow;
    }
}

public sealed class ChainHandler(ChainLength length) : HandlerGrain, IChainHandler
{
    protected override Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        var hop = ChainWorkflow.HopOf(context.Queue);
        context.Persist.Put(new JsonObject { ["hop"] = hop });
        // The last hop reports to a plain queue the bench counts: the end is seen after the last state write.
        context.Send(hop < length.Hops ? ChainWorkflow.Queue(hop + 1) : ChainWorkflow.Sink, message);
        return Task.CompletedTask;
    }
}

public sealed record ChainLength(int Hops);
