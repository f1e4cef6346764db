using Microsoft.Extensions.Options;
using Orleans.Metadata;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// What the engine sets on every handler grain class (a class derived from <see cref="HandlerGrain"/>), so the
/// handler classes need no attribute of the engine's: placement by the incident's workflow version
/// (<see cref="WorkflowVersionPlacement"/>), and the idle time of Workflow:HandlerIdle instead of Orleans' default
/// of 15 minutes.
/// </summary>
internal sealed class HandlerGrainProperties(IServiceProvider services, IOptions<WorkflowOptions> limits) : IGrainPropertiesProvider
{
    private readonly WorkflowVersionPlacement _placement = new();

    public void Populate(Type grainClass, GrainType grainType, Dictionary<string, string> properties)
    {
        if (!typeof(HandlerGrain).IsAssignableFrom(grainClass))
            return;
        properties[WellKnownGrainTypeProperties.IdleDeactivationPeriod] = limits.Value.HandlerIdle.ToString("c");
        _placement.PopulateGrainProperties(services, grainClass, grainType, properties);
    }
}
