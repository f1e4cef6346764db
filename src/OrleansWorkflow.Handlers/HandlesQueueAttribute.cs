namespace OrleansWorkflow.Handlers;

/// <summary>
/// Puts a handler interface on a queue for the host's <c>AddHandlersFrom</c> (OrleansWorkflow.Server):
/// <c>[HandlesQueue("fire_simulation")] public interface IFireSimulationHandler : IWorkflowHandler;</c>
/// One interface may handle several queues (one grain per queue and incident).
/// </summary>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = true, Inherited = false)]
public sealed class HandlesQueueAttribute(string queue) : Attribute
{
    /// <summary>The queue the interface handles.</summary>
    public string Queue { get; } = queue;
}
