using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace OrleansWorkflow.Hosting;

/// <summary>
/// Orleans placement filter of handler grains: a new activation of a handler of an incident goes to a silo that runs
/// the incident's workflow version. The caller names the version in the request context (<see cref="ContextKey"/>),
/// as the engine's queue consumers do once they know it; without it, or when no live silo runs it, every candidate
/// stays, and the handler grain itself refuses a version its silo does not run (the consumer then holds the message).
/// </summary>
internal sealed class WorkflowVersionPlacement() : PlacementFilterStrategy(order: 0)
{
    /// <summary>The request context key under which the caller names the incident's workflow.</summary>
    public const string ContextKey = "owf-workflow";

    /// <summary>
    /// Moves <paramref name="grain"/> to a silo that runs <paramref name="workflow"/> (Orleans migration: the grain
    /// directory points there, so every caller's next message follows), or, when no live silo does, out of memory.
    /// </summary>
    public static void MoveTo(IGrainBase grain, IncidentWorkflow workflow, ClusterWorkflowVersions cluster)
    {
        if (cluster.RunningSilos(workflow).FirstOrDefault() is not { } target)
        {
            grain.DeactivateOnIdle();
            return;
        }
        RequestContext.Set(ContextKey, workflow.ToContextValue());
        RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
        grain.MigrateOnIdle();
    }
}

internal sealed class WorkflowVersionPlacementDirector(ClusterWorkflowVersions cluster) : IPlacementFilterDirector
{
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        if (target.RequestContextData?.GetValueOrDefault(WorkflowVersionPlacement.ContextKey) is not { } named
            || IncidentWorkflow.FromContextValue(named) is not { } workflow)
            return silos;
        var candidates = silos as IReadOnlyCollection<SiloAddress> ?? silos.ToList();
        var running = cluster.Running(workflow, candidates).ToList();
        return running.Count > 0 ? running : candidates;
    }
}
