using Orleans.Metadata;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// Gives every handler grain class the idle time of Workflow:HandlerIdle (Orleans' idle deactivation period, read from
/// the host's settings when the grain type is registered) instead of Orleans' default of 15 minutes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
internal sealed class HandlerIdleAttribute : Attribute, IGrainPropertiesProviderAttribute
{
    public void Populate(IServiceProvider services, Type grainClass, GrainType grainType, Dictionary<string, string> properties)
    {
        if (services.GetService(typeof(WorkflowSettings)) is WorkflowSettings settings)
            properties[WellKnownGrainTypeProperties.IdleDeactivationPeriod] = settings.Workflow.HandlerIdle.ToString("c");
    }
}
