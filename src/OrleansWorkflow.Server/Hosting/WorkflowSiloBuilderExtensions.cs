using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansWorkflow.Storage;
using OrleansWorkflow.Adapter;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Hosting;

public static class WorkflowSiloBuilderExtensions
{
    /// <summary>
    /// Makes this silo an OrleansWorkflow engine: PostgreSQL grain state and reminders, localhost clustering,
    /// the RabbitMQ adapter, the configured HPC machines, and the handlers that <paramref name="registerHandlers"/>
    /// registers on their queues.
    /// </summary>
    public static ISiloBuilder AddOrleansWorkflow(this ISiloBuilder silo, WorkflowSettings settings, Action<HandlerRegistry> registerHandlers)
    {
        settings.Validate();
        var handlers = new HandlerRegistry();
        registerHandlers(handlers);

        silo.AddWorkflowMembership(settings);
        silo.AddAdoNetGrainStorage(WorkflowStorage.Name, options =>
        {
            options.Invariant = "Npgsql";
            options.ConnectionString = settings.Storage.ProviderConnectionString;
        });
        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = "Npgsql";
            options.ConnectionString = settings.Storage.ProviderConnectionString;
        });
        // Machine pollers are woken by reminders every PollPeriod; Orleans refuses periods under its minimum.
        silo.Configure<ReminderOptions>(options =>
            options.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(options.MinimumReminderPeriod.Ticks, settings.Hpc.ShortestPollPeriod.Ticks)));

        // Live views of incidents: each incident's changes on a stream of its own, published only while watched.
        silo.AddMemoryStreams(IncidentEvents.StreamProvider);
        silo.AddMemoryGrainStorage("PubSubStore");

        var services = silo.Services;
        services.AddSingleton(settings.Cluster);
        services.AddSingleton(_ => new IncidentCatalog(Npgsql.NpgsqlDataSource.Create(settings.Storage.ProviderConnectionString), settings.Cluster));
        services.AddKeyedSingleton<IGrainStorageSerializer>(WorkflowStorage.Name, (sp, _) =>
            new UpgradingStateSerializer(sp.GetRequiredService<Serializer>(), sp.GetRequiredService<IGrainStorageSerializer>()));
        services.AddSingleton(settings);
        services.AddSingleton(settings.RabbitMq);
        services.AddSingleton(handlers);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new QueuePublisher(settings.RabbitMq, sp.GetRequiredService<ILogger<QueuePublisher>>()));
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton(settings.Hpc);
        services.AddSingleton(settings.Faults);
        services.AddSingleton<HpcMachines>();
        services.AddSingleton<RabbitMqAdapter>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RabbitMqAdapter>());
        return silo;
    }
}
