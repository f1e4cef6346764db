using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Adapter;
using OrleansWorkflow.Health;
using OrleansWorkflow.Messaging;

namespace OrleansWorkflow.Hosting;

/// <summary>Adds the engine's RabbitMQ adapter to an <see cref="IWorkflowBuilder"/>.</summary>
public static class RabbitMqExtensions
{
    /// <summary>
    /// The RabbitMQ adapter (configuration section "RabbitMQ"): a consumer on every registered queue delivering into
    /// handler grains (retries and limits from section "Workflow"), and confirmed publishing of what handlers send.
    /// Its broker connection is part of /readyz.
    /// </summary>
    /// <param name="workflow">The engine being built.</param>
    /// <param name="configure">Settings given in code, applied after the configuration section.</param>
    public static IWorkflowBuilder AddRabbitMq(this IWorkflowBuilder workflow, Action<RabbitMqOptions>? configure = null)
    {
        workflow.AddSettings<RabbitMqOptions>(RabbitMqOptions.Section, configure);
        var services = workflow.Services;
        services.AddSingleton(sp => new QueuePublisher(sp.Options<RabbitMqOptions>(), sp.GetRequiredService<ILogger<QueuePublisher>>()));
        services.AddSingleton<IMessagePublisher>(sp => sp.GetRequiredService<QueuePublisher>());
        services.AddSingleton<RabbitMqAdapter>();
        // Messages of a workflow version no live silo runs wait in the engine's database (so it needs AddPostgreSqlStorage).
        services.AddSingleton(sp => new HeldMessages(sp.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(WorkflowStorage.Name), sp.Options<WorkflowClusterOptions>(),
            sp.GetRequiredService<QueuePublisher>(), sp.GetRequiredService<ClusterWorkflowVersions>(), sp.GetRequiredService<ILogger<HeldMessages>>()));
        services.AddSingleton<VersionRouting>();
        services.AddHostedService<HeldMessageRelease>();
        services.AddHealthChecks().AddCheck<HeldMessagesHealthCheck>("held-messages", tags: [WorkflowHealth.Ready]);
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RabbitMqAdapter>());
        services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker", tags: [WorkflowHealth.Ready]);
        return workflow;
    }
}
