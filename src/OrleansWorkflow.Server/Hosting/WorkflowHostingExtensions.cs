using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Health;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations.Machines;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace OrleansWorkflow.Hosting;

/// <summary>The entry point of an engine host.</summary>
public static class WorkflowHostingExtensions
{
    /// <summary>
    /// Makes this host an OrleansWorkflow silo (an Orleans silo is added if the host has none yet) and returns the
    /// builder on which each concern is its own call:
    /// <code>
    /// builder.AddOrleansWorkflow()
    ///     .AddPostgreSqlStorage()        // "Storage"
    ///     .AddClusterMembership()        // "Cluster"
    ///     .AddRabbitMq()                 // "RabbitMQ", "Workflow"
    ///     .AddHpcMachines()              // "Hpc"
    ///     .AddHandlersFrom(typeof(MyHandler).Assembly);
    /// </code>
    /// Every section is checked when the host starts; one error lists every bad setting by its key. Calling it again
    /// returns the same engine.
    /// </summary>
    /// <param name="host">The host the engine runs in.</param>
    /// <param name="configure">Settings of section "Workflow" given in code, applied after the configuration section.</param>
    public static IWorkflowBuilder AddOrleansWorkflow(this IHostApplicationBuilder host, Action<WorkflowOptions>? configure = null)
    {
        if (host.Services.FirstOrDefault(s => s.ServiceType == typeof(WorkflowBuilder))?.ImplementationInstance is WorkflowBuilder existing)
            return existing;

        ISiloBuilder? silo = null;
        host.UseOrleans(builder => silo = builder);
        if (silo is null)
            throw new InvalidOperationException("UseOrleans did not hand over its silo builder; add the engine with AddOrleansWorkflow() on an IHostApplicationBuilder.");
        var handlers = new HandlerRegistry();
        var versions = new WorkflowVersions();
        var workflow = new WorkflowBuilder(host.Services, host.Configuration, silo, handlers, versions);
        var services = host.Services;
        services.AddSingleton(workflow);
        services.AddSingleton(handlers);
        services.AddSingleton(versions);

        // Which silo runs which workflow versions: published as Orleans silo metadata (with the host's own
        // Orleans:Metadata), read by placement so each handler grain lives on a silo that runs its incident's version.
        foreach (var setting in host.Configuration.GetSection("Orleans:Metadata").GetChildren())
            if (setting.Value is { } value)
                versions.Metadata.TryAdd(setting.Key, value);
        silo.UseSiloMetadata(versions.Metadata);
        services.AddSingleton<ClusterWorkflowVersions>();
        services.AddSingleton<Incidents.IncidentPurge>();
        services.AddSingleton<Handlers.HandlerServices>();
        // The engine's side of each handler activation, installed on it at its first delivery; the handler classes
        // (on the authoring package alone) get their placement and idle time from HandlerGrainProperties.
        services.AddKeyedTransient<IGrainExtension>(typeof(Handlers.IHandlerDelivery), (sp, _) =>
            new Handlers.HandlerDelivery(sp.GetRequiredService<IGrainContextAccessor>().GrainContext, sp.GetRequiredService<Handlers.HandlerServices>()));
        services.AddSingleton<Orleans.Metadata.IGrainPropertiesProvider, Handlers.HandlerGrainProperties>();
        services.AddPlacementFilter<WorkflowVersionPlacement, WorkflowVersionPlacementDirector>(ServiceLifetime.Transient);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton<TimeProvider>(WorkflowClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddDependencyExceptionSerialization();

        workflow.AddSettings<WorkflowOptions>(WorkflowOptions.Section, configure);
        // Idle handler activations leave after Workflow:HandlerIdle (HandlerGrainProperties): Orleans must look for them often enough.
        services.AddOptions<Orleans.Configuration.GrainCollectionOptions>().Configure<IOptions<WorkflowOptions>>((collection, limits) =>
        {
            var half = limits.Value.HandlerIdle / 2;
            if (half < collection.CollectionQuantum)
                collection.CollectionQuantum = half;
        });
        services.TryAddSingleton<IFaultPoints, NoFaultPoints>();
        services.AddHostedService<IgnoredFaultsNotice>();
        services.TryAddSingleton<IMachineDrivers, SshMachineDrivers>();
        services.AddSingleton<HpcMachines>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Time.ScheduleArming>();
        services.AddOptions<RequiredConcerns>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<RequiredConcerns>, RequiredConcernsCheck>();

        // Clients connected through a gateway get the client operations only, and make changes only with an API key.
        services.AddSingleton<Access.CallSource>();
        silo.AddIncomingGrainCallFilter<Access.EngineCallFilter>();
        silo.AddIncomingGrainCallFilter<Access.GatewayChangeFilter>();

        // Live views of incidents: each incident's changes on a stream of its own, published only while watched.
        silo.AddMemoryStreams(IncidentEvents.StreamProvider);
        if (!services.Any(s => s.IsKeyedService && Equals(s.ServiceKey, "PubSubStore")))
            silo.AddMemoryGrainStorage("PubSubStore");

        services.AddHealthChecks().AddCheck("process", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("the silo process runs"), tags: [WorkflowHealth.Live]);
        return workflow;
    }

    /// <summary>The options type the engine's required concerns are checked on; it carries nothing.</summary>
    internal sealed class RequiredConcerns;

    /// <summary>What an engine cannot run without, said at start rather than at the first message: its ports are registered.</summary>
    private sealed class RequiredConcernsCheck(IServiceProviderIsService registered) : IValidateOptions<RequiredConcerns>
    {
        public ValidateOptionsResult Validate(string? name, RequiredConcerns options)
        {
            var missing = new List<string>();
            if (!registered.IsService(typeof(IIncidentCatalog)))
                missing.Add("The engine has no storage: call AddPostgreSqlStorage() on the builder AddOrleansWorkflow() returns.");
            if (!registered.IsService(typeof(IMessagePublisher)))
                missing.Add("The engine has no broker: call AddRabbitMq() on the builder AddOrleansWorkflow() returns.");
            if (!registered.IsService(typeof(ClusterMembershipConfigured)))
                missing.Add("The engine has no cluster membership: call AddClusterMembership() on the builder AddOrleansWorkflow() returns.");
            return missing.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(missing);
        }
    }
}

/// <summary>Registered once the silo's membership is set up (AddClusterMembership, or a test host's own).</summary>
internal sealed class ClusterMembershipConfigured;
