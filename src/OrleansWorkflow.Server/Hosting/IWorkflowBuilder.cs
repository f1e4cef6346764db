using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Hosting;

/// <summary>
/// The engine on a host, as <see cref="WorkflowHostingExtensions.AddOrleansWorkflow"/> returns it: each concern (storage,
/// membership, RabbitMQ, handlers, HPC machines, telemetry, web) is added by its own call.
/// </summary>
public interface IWorkflowBuilder
{
    /// <summary>The host's services.</summary>
    IServiceCollection Services { get; }

    /// <summary>The host's configuration; every section the engine binds is read from it.</summary>
    IConfiguration Configuration { get; }

    /// <summary>The Orleans silo of this host, for anything Orleans-specific the engine does not cover.</summary>
    ISiloBuilder Silo { get; }

    /// <summary>Which handler is registered on which queue.</summary>
    HandlerRegistry Handlers { get; }

    /// <summary>Which versions of each workflow kind this host's handlers run.</summary>
    WorkflowVersions Versions { get; }

    /// <summary>
    /// Declares that this host's handlers run versions <paramref name="oldest"/> to <paramref name="newest"/> of
    /// incidents of <paramref name="kind"/>. A new incident records the newest version a live silo runs; each of its
    /// messages is handled on a silo that runs its version, and held (not dead-lettered) while none does. Raise
    /// <paramref name="newest"/> when a handler's behaviour changes and keep the old path for older incidents
    /// (<see cref="IHandlerContext.WorkflowVersion"/>); raise <paramref name="oldest"/> once no running incident has
    /// an older version.
    /// </summary>
    IWorkflowBuilder AddWorkflowVersions(string kind, int newest, int oldest = WorkflowVersions.First);

    /// <summary>Registers <typeparamref name="THandler"/> on <paramref name="queue"/>: every message on that queue is delivered to it.</summary>
    IWorkflowBuilder AddHandler<THandler>(string queue) where THandler : IWorkflowHandler;

    /// <summary>When an incident of <paramref name="kind"/> passes its deadline unfinished, one message goes to <paramref name="queue"/> (see <see cref="HandlerRegistry.RegisterDeadlineQueue"/>).</summary>
    IWorkflowBuilder OnDeadline(string kind, string queue);

    /// <summary>Registers every public handler interface of <paramref name="assembly"/> on the queues its <see cref="HandlesQueueAttribute"/>s name.</summary>
    IWorkflowBuilder AddHandlersFrom(Assembly assembly);
}

internal sealed class WorkflowBuilder(IServiceCollection services, IConfiguration configuration, ISiloBuilder silo, HandlerRegistry handlers, WorkflowVersions versions) : IWorkflowBuilder
{
    public IServiceCollection Services => services;
    public IConfiguration Configuration => configuration;
    public ISiloBuilder Silo => silo;
    public HandlerRegistry Handlers => handlers;
    public WorkflowVersions Versions => versions;

    public IWorkflowBuilder AddWorkflowVersions(string kind, int newest, int oldest = WorkflowVersions.First)
    {
        versions.Declare(kind, newest, oldest);
        return this;
    }

    public IWorkflowBuilder AddHandler<THandler>(string queue) where THandler : IWorkflowHandler
    {
        handlers.RegisterHandler<THandler>(queue);
        return this;
    }

    public IWorkflowBuilder OnDeadline(string kind, string queue)
    {
        handlers.RegisterDeadlineQueue(kind, queue);
        return this;
    }

    public IWorkflowBuilder AddHandlersFrom(Assembly assembly)
    {
        var found = 0;
        foreach (var handler in assembly.GetExportedTypes().Where(t => t.IsInterface && typeof(IWorkflowHandler).IsAssignableFrom(t)))
            foreach (var queue in handler.GetCustomAttributes<HandlesQueueAttribute>(inherit: false))
            {
                handlers.RegisterHandler(handler, queue.Queue);
                found++;
            }
        if (found == 0)
            throw new ArgumentException($"{assembly.GetName().Name} has no public handler interface with [HandlesQueue(\"queue\")]; mark your handler interfaces, or register them with AddHandler<THandler>(queue).", nameof(assembly));
        return this;
    }
}
