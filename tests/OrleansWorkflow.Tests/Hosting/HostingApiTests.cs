using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Hosting;

/// <summary>The hosting API as a host of someone else's writes it (built, not started, unless a test needs more).</summary>
public sealed class HostingApiTests
{
    [Fact, Trait(Lanes.Category, Lanes.ServiceFree)]
    public void Handlers_are_registered_from_their_interfaces_queue_attributes_and_modules_add_to_each_other()
    {
        var builder = Host.CreateApplicationBuilder();
        var workflow = builder.AddOrleansWorkflow().AddHandlersFrom(typeof(FireWorkflow).Assembly);
        builder.AddOrleansWorkflow().AddHandler<Tests.Handlers.IRecordingHandler>("module_two");

        Assert.Same(workflow, builder.AddOrleansWorkflow());
        Assert.Equal(typeof(IFireSimulationHandler), workflow.Handlers.HandlerOf(FireWorkflow.FireSimulation));
        Assert.Equal(typeof(IAHandler), workflow.Handlers.HandlerOf(ABWorkflow.AQueue));
        Assert.True(workflow.Handlers.IsRegistered("module_two"));
        Assert.Equal(14, workflow.Handlers.Queues.Count); // 9 fire + fire_watch + fire_overdue + 2 A -> B + 1
    }

    [Fact, Trait(Lanes.Category, Lanes.ServiceFree)]
    public void An_assembly_without_handler_interfaces_is_refused_with_the_fix()
    {
        var workflow = Host.CreateApplicationBuilder().AddOrleansWorkflow();

        var error = Assert.Throws<ArgumentException>(() => workflow.AddHandlersFrom(typeof(NpgsqlDataSource).Assembly));

        Assert.Contains("[HandlesQueue(\"queue\")]", error.Message);
        Assert.Contains("AddHandler<THandler>(queue)", error.Message);
    }

    [Fact, Trait(Lanes.Category, Lanes.ServiceFree)]
    public void An_engine_missing_a_concern_says_which_call_adds_it()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddOrleansWorkflow().AddRabbitMq();
        using var host = builder.Build();

        var problems = WorkflowSettingsCheck.ProblemsOf(host.Services);

        Assert.Contains(problems, p => p.Contains("AddPostgreSqlStorage()"));
        Assert.Contains(problems, p => p.Contains("AddClusterMembership()"));
        Assert.DoesNotContain(problems, p => p.Contains("AddRabbitMq()"));
    }

    [Fact, Trait(Lanes.Category, Lanes.ServiceFree)]
    public void The_engine_reads_every_settings_section_through_IOptions_only()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddOrleansWorkflow().AddPostgreSqlStorage().AddClusterMembership().AddRabbitMq().AddHpcMachines().AddTelemetry();
        OrleansWorkflow.Web.WorkflowWebExtensions.AddWeb(builder.AddOrleansWorkflow());

        var sections = builder.Services.Where(s => s.ServiceType.IsGenericType && s.ServiceType.GetGenericTypeDefinition() == typeof(Microsoft.Extensions.Options.IValidateOptions<>))
            .Select(s => s.ServiceType.GetGenericArguments()[0]).Where(t => typeof(OrleansWorkflow.Configuration.IValidatedOptions).IsAssignableFrom(t)).ToHashSet();
        var singletons = builder.Services.Where(s => sections.Contains(s.ServiceType)).Select(s => s.ServiceType.Name);

        Assert.Equal(7, sections.Count);
        Assert.Empty(singletons);
    }

    [Fact]
    public async Task A_data_source_the_host_registers_for_its_own_database_is_not_taken_for_the_engines()
    {
        await using var database = await TestDatabase.CreateAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:PostgreSql"] = database.ConnectionString });
        builder.AddOrleansWorkflow().AddPostgreSqlStorage().AddClusterMembership().AddRabbitMq();
        builder.Services.AddSingleton(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Database=the_apps_own;Timeout=2"));
        using var host = builder.Build();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Name == "database");

        Assert.Equal(HealthStatus.Healthy, report.Status);
    }
}
