using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Samples.Fire;

/// <summary>A step of the sample that announces itself, does its (pretended) work and passes the message on.</summary>
public abstract class RelayHandler : SampleHandler
{
    protected abstract string Greeting { get; }

    protected abstract string Next { get; }

    protected sealed override async Task RunAsync(JsonObject message, IHandlerContext context)
    {
        Say(Greeting);
        await WorkAsync(context);
        context.Send(Next, message);
    }
}
