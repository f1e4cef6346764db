using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansWorkflow.Health;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Hosting;

/// <summary>Adds the engine's PostgreSQL storage to an <see cref="IWorkflowBuilder"/>.</summary>
public static class PostgreSqlStorageExtensions
{
    /// <summary>
    /// Grain state, reminders and the incident catalog in PostgreSQL (configuration section "Storage"), through the
    /// Orleans ADO.NET providers. The database needs the engine's schema: <see cref="DatabaseSchema.ApplyAsync"/>
    /// (owf-silo setup-database) creates or updates it. Its reachability is part of /readyz.
    /// </summary>
    /// <param name="workflow">The engine being built.</param>
    /// <param name="configure">Settings given in code, applied after the configuration section.</param>
    public static IWorkflowBuilder AddPostgreSqlStorage(this IWorkflowBuilder workflow, Action<StorageOptions>? configure = null)
    {
        workflow.AddSettings<StorageOptions>(StorageOptions.Section, configure);
        var silo = workflow.Silo;
        silo.AddAdoNetGrainStorage(WorkflowStorage.Name, (OptionsBuilder<Orleans.Configuration.AdoNetGrainStorageOptions> options) =>
            options.OnEngineDatabase((adoNet, invariant, connection) =>
            {
                (adoNet.Invariant, adoNet.ConnectionString) = (invariant, connection);
                // Cleared state (a settled redelivery count, purged working data) leaves no row behind.
                adoNet.DeleteStateOnClear = true;
            }));
        silo.UseAdoNetReminderService((OptionsBuilder<Orleans.Configuration.AdoNetReminderTableOptions> options) =>
            options.OnEngineDatabase((adoNet, invariant, connection) => (adoNet.Invariant, adoNet.ConnectionString) = (invariant, connection)));
        // An incident's timers retry a due time missed while no silo ran this soon (their reminder's period).
        workflow.Services.AddOptions<ReminderOptions>().Configure(reminders =>
            reminders.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(reminders.MinimumReminderPeriod.Ticks, Time.TimerSettings.RetryPeriod.Ticks)));

        var services = workflow.Services;
        // Keyed, so that a data source the host registers for its own database is never taken for the engine's.
        services.AddKeyedSingleton(WorkflowStorage.Name, (sp, _) => Npgsql.NpgsqlDataSource.Create(sp.Options<StorageOptions>().JournalConnectionString));
        services.AddSingleton<IIncidentCatalog>(sp => new IncidentCatalog(EngineDatabase(sp), sp.Options<WorkflowClusterOptions>(), sp.GetRequiredService<GroupCommit>()));
        services.AddSingleton<IIncidentJournal>(sp => new IncidentJournal(EngineDatabase(sp), sp.Options<WorkflowClusterOptions>()));
        services.AddSingleton(sp => new GroupCommit(EngineDatabase(sp)));
        services.AddSingleton<Handlers.IHandlerJournal>(sp => new Handlers.HandlerJournal(EngineDatabase(sp), sp.Options<WorkflowClusterOptions>(),
            sp.GetRequiredService<Serializer>(), sp.GetRequiredService<GroupCommit>()));
        services.AddSingleton<Handlers.IStepAttempts>(sp => new Handlers.StepAttempts(sp.Options<WorkflowClusterOptions>(), sp.GetRequiredService<GroupCommit>()));
        services.AddHostedService<RetentionService>();
        services.AddKeyedSingleton<IGrainStorageSerializer>(WorkflowStorage.Name, (sp, _) =>
            new UpgradingStateSerializer(sp.GetRequiredService<Serializer>(), sp.GetRequiredService<IGrainStorageSerializer>()));
        services.AddHealthChecks().Add(new HealthCheckRegistration("database", sp => new DatabaseHealthCheck(EngineDatabase(sp)), failureStatus: null, tags: [WorkflowHealth.Ready]));
        return workflow;
    }

    private static Npgsql.NpgsqlDataSource EngineDatabase(IServiceProvider services) =>
        services.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(WorkflowStorage.Name);

    /// <summary>Points an Orleans ADO.NET provider's options at the engine's database (section "Storage"), read when the silo starts.</summary>
    internal static OptionsBuilder<TOptions> OnEngineDatabase<TOptions>(this OptionsBuilder<TOptions> options, Action<TOptions, string, string> use)
        where TOptions : class =>
        options.Configure<IOptions<StorageOptions>>((provider, storage) => use(provider, "Npgsql", storage.Value.ProviderConnectionString));
}
