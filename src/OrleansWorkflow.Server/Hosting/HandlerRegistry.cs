using OrleansWorkflow.Handlers;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Hosting;

/// <summary>Which handler grain interface is registered on which queue.</summary>
public sealed class HandlerRegistry
{
    private readonly Dictionary<string, Type> _handlers = new(StringComparer.Ordinal);

    /// <summary>The queues that have a handler.</summary>
    public IReadOnlyCollection<string> Queues => _handlers.Keys;

    /// <summary>Registers <typeparamref name="THandler"/> on <paramref name="queue"/>: every message on it is delivered to that handler.</summary>
    public HandlerRegistry RegisterHandler<THandler>(string queue) where THandler : IWorkflowHandler =>
        RegisterHandler(typeof(THandler), queue);

    /// <summary>Registers the grain interface <paramref name="handlerInterface"/> on <paramref name="queue"/>; throws naming the fix when it is no handler interface or the queue has another handler.</summary>
    public HandlerRegistry RegisterHandler(Type handlerInterface, string queue)
    {
        WireContract.ValidateQueueName(queue);
        if (!handlerInterface.IsInterface || !typeof(IWorkflowHandler).IsAssignableFrom(handlerInterface))
            throw new ArgumentException($"{handlerInterface.Name} cannot handle queue \"{queue}\": register a grain interface derived from {nameof(IWorkflowHandler)}.", nameof(handlerInterface));
        if (_handlers.TryGetValue(queue, out var existing) && existing != handlerInterface)
            throw new ArgumentException($"Queue \"{queue}\" already has handler {existing.Name}; one queue has one handler. Register {handlerInterface.Name} on another queue.", nameof(queue));
        _handlers[queue] = handlerInterface;
        return this;
    }

    /// <summary>The handler interface registered on <paramref name="queue"/>.</summary>
    public Type HandlerOf(string queue) => _handlers[queue];

    /// <summary>Whether <paramref name="queue"/> has a handler.</summary>
    public bool IsRegistered(string queue) => _handlers.ContainsKey(queue);

    /// <summary>The handler grain of <paramref name="queue"/> for one incident.</summary>
    internal IHandlerDelivery Resolve(IGrainFactory grains, Guid incidentId, string queue)
    {
        if (!_handlers.TryGetValue(queue, out var handlerInterface))
            throw new InvalidOperationException($"No handler is registered on queue \"{queue}\".");
        return grains.GetGrain(handlerInterface, incidentId, queue).AsReference<IHandlerDelivery>();
    }
}
