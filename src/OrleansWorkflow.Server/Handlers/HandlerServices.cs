using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Handlers;

/// <summary>The engine's services every handler activation uses, injected once per silo rather than looked up per activation.</summary>
internal sealed class HandlerServices(
    [FromKeyedServices(WorkflowStorage.Name)] IGrainStorage storage,
    IHandlerJournal journal,
    IStepAttempts attempts,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock,
    OutboxDispatcher dispatcher,
    HpcMachines machines,
    IHostApplicationLifetime lifetime,
    IFaultPoints faults,
    IOptions<WorkflowOptions> limits,
    WorkflowVersions versions,
    ClusterWorkflowVersions cluster,
    IGrainFactory grains,
    ILoggerFactory loggers)
{
    public IGrainStorage Storage => storage;
    public IHandlerJournal Journal => journal;
    public IStepAttempts Attempts => attempts;
    public TimeProvider Clock => clock;
    public OutboxDispatcher Dispatcher => dispatcher;
    public HpcMachines Machines => machines;
    public CancellationToken Shutdown { get; } = lifetime.ApplicationStopping;
    public IFaultPoints Faults => faults;
    public WorkflowOptions Limits { get; } = limits.Value;
    public WorkflowVersions Versions => versions;
    public ClusterWorkflowVersions Cluster => cluster;
    public IGrainFactory Grains => grains;
    public ILoggerFactory Loggers => loggers;
}
