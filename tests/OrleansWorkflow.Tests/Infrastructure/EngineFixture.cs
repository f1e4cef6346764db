using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Client;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Handlers;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// A real engine for a collection of tests: one silo in this process, on its own PostgreSQL database and its
/// own RabbitMQ virtual host, with the samples' and the tests' handlers registered.
/// </summary>
public sealed class EngineFixture : IAsyncLifetime
{
    private IHost? _silo;
    private QueuePublisher? _publisher;

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost Broker { get; private set; } = null!;
    public WorkflowSettings Settings { get; private set; } = null!;
    public WorkflowClient Client { get; private set; } = null!;
    /// <summary>Short, but long enough that a graph drawn mid-run catches handlers at work.</summary>
    public static readonly TimeSpan FireWorkTime = TimeSpan.FromMilliseconds(150);

    public IGrainFactory Grains => _silo!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The handler grain registered on <paramref name="queue"/>, for one incident.</summary>
    public IWorkflowHandler Handler(Guid incidentId, string queue) =>
        _silo!.Services.GetRequiredService<HandlerRegistry>().Resolve(Grains, incidentId, queue);

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Broker = await TestVirtualHost.CreateAsync();
        Settings = new WorkflowSettings
        {
            RabbitMq = { Uri = Broker.Uri },
            Storage = { PostgreSql = Database.ConnectionString },
            Workflow = { RetryLimit = 2, RetryBackoff = TimeSpan.FromMilliseconds(20) },
            Cluster = { SiloPort = TestServices.FreePort(), GatewayPort = TestServices.FreePort(), ServiceId = Database.Name, ClusterId = Database.Name },
        };
        await StartSiloAsync();
    }

    /// <summary>Stops the silo (gracefully) and starts a new one on the same database and broker.</summary>
    public async Task RestartSiloAsync()
    {
        await StopSiloAsync();
        await StartSiloAsync();
    }

    private async Task StartSiloAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.AddOrleansWorkflow(Settings, handlers => handlers.AddABWorkflow().AddFireWorkflow().AddTestHandlers());
            silo.Services.AddSingleton(new FireSettings { WorkTime = FireWorkTime });
        });
        _silo = builder.Build();
        await _silo.StartAsync();
        _publisher = new QueuePublisher(Settings.RabbitMq, _silo.Services.GetRequiredService<ILogger<QueuePublisher>>());
        Client = new WorkflowClient(Grains, _publisher);
    }

    private async Task StopSiloAsync()
    {
        if (_publisher is not null)
            await _publisher.DisposeAsync();
        if (_silo is not null)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _silo.StopAsync(stopping.Token);
            _silo.Dispose();
        }
    }

    public async Task DisposeAsync()
    {
        await StopSiloAsync();
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "engine";
}
