using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Hosting;

/// <summary>The engine's bound and validated settings, in one place for the parts that need several of them.</summary>
internal sealed class WorkflowSettings
{
    public RabbitMqOptions RabbitMq { get; init; } = new();
    public StorageOptions Storage { get; init; } = new();
    public WorkflowOptions Workflow { get; init; } = new();
    public WorkflowClusterOptions Cluster { get; init; } = new();
    public HpcOptions Hpc { get; init; } = new();

    public static WorkflowSettings From(IServiceProvider services) => new()
    {
        RabbitMq = Value<RabbitMqOptions>(services),
        Storage = Value<StorageOptions>(services),
        Workflow = Value<WorkflowOptions>(services),
        Cluster = Value<WorkflowClusterOptions>(services),
        Hpc = Value<HpcOptions>(services),
    };

    private static T Value<T>(IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
