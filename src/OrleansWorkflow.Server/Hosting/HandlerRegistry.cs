using OrleansWorkflow.Handlers;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Hosting;

/// <summary>Which handler grain interface is registered on which queue, and which queue hears of a passed deadline.</summary>
public sealed class HandlerRegistry
{
    private readonly Dictionary<string, Type> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _deadlineQueues = new(StringComparer.Ordinal);

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

    /// <summary>
    /// When an incident of <paramref name="kind"/> passes its deadline unfinished, a message goes to
    /// <paramref name="queue"/>: its IncidentID, "deadline" and "name".
    /// </summary>
    public HandlerRegistry RegisterDeadlineQueue(string kind, string queue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        WireContract.ValidateQueueName(queue);
        if (_deadlineQueues.TryGetValue(kind, out var existing) && existing != queue)
            throw new ArgumentException($"Incidents of kind \"{kind}\" already send their passed deadline to \"{existing}\"; a kind has one deadline queue.", nameof(kind));
        _deadlineQueues[kind] = queue;
        return this;
    }

    /// <summary>The queue that hears of a passed deadline of an incident of <paramref name="kind"/>, if one was registered.</summary>
    public string? DeadlineQueueOf(string kind) => _deadlineQueues.GetValueOrDefault(kind);

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
