using OrleansWorkflow.Tests.FaultInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Client;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Tests.Handlers;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// A real engine for a collection of tests: one silo in this process, on its own PostgreSQL database and its
/// own RabbitMQ virtual host, with the samples' and the tests' handlers registered.
/// </summary>
public sealed class EngineFixture : IAsyncLifetime
{
    private IHost? _silo;
    private Dictionary<string, string?> _configuration = [];
    private QueuePublisher? _publisher;

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost Broker { get; private set; } = null!;
    internal TOptions Options<TOptions>() where TOptions : class => _silo!.Services.Options<TOptions>();
    public WorkflowClient Client { get; private set; } = null!;
    /// <summary>Short, but long enough that a graph drawn mid-run catches handlers at work.</summary>
    public static readonly TimeSpan FireWorkTime = TimeSpan.FromMilliseconds(150);
    /// <summary>An incident of this name: storing its end reports an error once, after the commit (Faults:FailAfterFinishWriteOf).</summary>
    public const string FinishWriteFault = "finish write fault";
    /// <summary>Short, so a hung handler is given up on within the test's patience.</summary>
    public static readonly TimeSpan HandlerTimeout = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan FinishedIncidentIdle = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan HandlerIdle = TimeSpan.FromSeconds(3);

    public IGrainFactory Grains => _silo!.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _silo!.Services;

    /// <summary>The engine's grain storage, to plant or inspect stored state directly.</summary>
    public Orleans.Storage.IGrainStorage Storage => _silo!.Services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(WorkflowStorage.Name);

    /// <summary>The silo's HPC machines (the loopback one and its impostor; see <see cref="LoopbackHpc"/>).</summary>
    internal HpcMachines Machines => _silo!.Services.GetRequiredService<HpcMachines>();

    /// <summary>The handler grain registered on <paramref name="queue"/>, for one incident.</summary>
    internal IHandlerDelivery Handler(Guid incidentId, string queue) =>
        _silo!.Services.GetRequiredService<HandlerRegistry>().Resolve(Grains, incidentId, queue);

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Broker = await TestVirtualHost.CreateAsync();
        _configuration = new Dictionary<string, string?>
        {
            ["RabbitMQ:Uri"] = Broker.Uri,
            ["Storage:PostgreSql"] = Database.ConnectionString,
            ["Workflow:RetryLimit"] = "2",
            ["Workflow:RetryBackoff"] = "00:00:00.020",
            ["Workflow:HandlerTimeout"] = HandlerTimeout.ToString(),
            // Finished incidents leave memory soon, so tests reading them afterwards read them back from storage.
            ["Workflow:FinishedIncidentIdle"] = FinishedIncidentIdle.ToString(),
            // Idle handlers leave memory soon too: every test meets handlers coming back from their journals.
            ["Workflow:HandlerIdle"] = HandlerIdle.ToString(),
            ["Faults:FailAfterStateWrite"] = TestQueues.FlakyWrite,
            ["Faults:FailAfterFinishWriteOf"] = FinishWriteFault,
            ["Cluster:SiloPort"] = TestServices.FreePort().ToString(),
            ["Cluster:GatewayPort"] = TestServices.FreePort().ToString(),
            ["Cluster:ServiceId"] = Database.Name,
            ["Cluster:ClusterId"] = Database.Name,
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
        // OWF_TEST_LOG=1 shows the silo's log while debugging a test.
        if (Environment.GetEnvironmentVariable("OWF_TEST_LOG") == "1")
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Information)
                .AddFilter("Orleans", LogLevel.Warning).AddFilter("OrleansWorkflow", LogLevel.Debug);
        builder.Configuration.AddInMemoryCollection(_configuration);
        builder.AddOrleansWorkflow()
            .AddPostgreSqlStorage()
            .AddClusterMembership()
            .AddRabbitMq()
            .AddHpcMachines()
            .AddHandlersFrom(typeof(FireWorkflow).Assembly)
            .AddWorkflowVersions(FireWorkflow.Kind, newest: FireWorkflow.Version)
            .OnDeadline(FireWorkflow.Kind, FireWorkflow.FireOverdue)
            .AddTestHandlers()
            .AddFaultInjection();
        builder.Services.Configure<HpcOptions>(hpc => hpc.Machines = LoopbackHpc.Options().Machines);
        builder.Services.Configure<FireSettings>(fire => (fire.WorkTime, fire.Machine) = (FireWorkTime, LoopbackHpc.Machine));
        _silo = builder.Build();
        await _silo.StartAsync();
        _publisher = new QueuePublisher(Options<RabbitMqOptions>(), _silo.Services.GetRequiredService<ILogger<QueuePublisher>>());
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

/// <summary>HPC tests get their own engine, so their long waits on the scheduler run beside the other tests.</summary>
[CollectionDefinition(Name)]
public sealed class HpcCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "hpc";
}

/// <summary>The time-limit test waits over a minute for Slurm; it runs on its own engine, beside everything else.</summary>
[CollectionDefinition(Name)]
public sealed class HpcTimeLimitCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "hpc-time-limit";
}
