using System.Text.Json.Nodes;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// Base of every handler grain: derive from it and implement your handler interface, e.g.
/// <c>public sealed class FireResultsHandler : HandlerGrain, IFireResultsHandler</c>. One activation per handler and
/// incident; the engine delivers the messages of the handler's queue to it, one at a time, and keeps what
/// <see cref="HandleAsync"/> did only when it returns normally. Everything else (checking duplicates, recording the
/// step, sending its messages, retries) is the engine's, which a silo host adds; this package holds the contract only.
/// </summary>
public abstract class HandlerGrain : Grain
{
    /// <summary>The handler's work for one message.</summary>
    protected internal abstract Task HandleAsync(JsonObject message, IHandlerContext context);

    /// <summary>Lets the engine finish the activation's work before it leaves; call the base when you override it.</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        GrainContext.GetComponent<IHandlerActivation>()?.DeactivatingAsync(cancellationToken) ?? Task.CompletedTask;
}

/// <summary>The engine's side of one handler activation, installed on it by the engine when it first delivers to it.</summary>
internal interface IHandlerActivation
{
    /// <summary>The activation is leaving.</summary>
    Task DeactivatingAsync(CancellationToken cancellationToken);
}
