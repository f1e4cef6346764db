using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Handlers;

/// <summary>The engine's services every handler activation uses, resolved once per silo rather than once per activation.</summary>
internal sealed class HandlerServices(IServiceProvider services)
{
    public IGrainStorage Storage { get; } = services.GetRequiredKeyedService<IGrainStorage>(WorkflowStorage.Name);
    public HandlerJournal Journal { get; } = services.GetRequiredService<HandlerJournal>();
    public StepAttempts Attempts { get; } = services.GetRequiredService<StepAttempts>();
    public TimeProvider Clock { get; } = services.GetService<TimeProvider>() ?? TimeProvider.System;
    public OutboxDispatcher Dispatcher { get; } = services.GetRequiredService<OutboxDispatcher>();
    public HpcMachines Machines { get; } = services.GetRequiredService<HpcMachines>();
    public CancellationToken Shutdown { get; } = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    public IFaultPoints Faults { get; } = services.GetService<IFaultPoints>() ?? new NoFaultPoints();
    public WorkflowOptions Limits { get; } = services.GetRequiredService<WorkflowSettings>().Workflow;
    public WorkflowVersions Versions { get; } = services.GetRequiredService<WorkflowVersions>();
    public ClusterWorkflowVersions Cluster { get; } = services.GetRequiredService<ClusterWorkflowVersions>();
    public IGrainFactory Grains { get; } = services.GetRequiredService<IGrainFactory>();
    public Microsoft.Extensions.Logging.ILoggerFactory Loggers { get; } = services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>();
}
