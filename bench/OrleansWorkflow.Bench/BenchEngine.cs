using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Client;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Samples.Fire;

namespace OrleansWorkflow.Bench;

/// <summary>One engine silo in this process (defaults as shipped) with the chain and the fire workflows, and a client.</summary>
public sealed class BenchEngine : IAsyncDisposable
{
    private readonly IHost _silo;
    private readonly QueuePublisher _publisher;

    private BenchEngine(IHost silo, QueuePublisher publisher, WorkflowClient client)
    {
        _silo = silo;
        _publisher = publisher;
        Client = client;
    }

    public WorkflowClient Client { get; }

    public static async Task<BenchEngine> StartAsync(BenchEnvironment environment, RabbitMqOptions broker, BenchOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:PostgreSql"] = environment.Database,
            ["Cluster:SiloPort"] = FreePort().ToString(),
            ["Cluster:GatewayPort"] = FreePort().ToString(),
            ["Cluster:ServiceId"] = BenchEnvironment.Name,
            ["Cluster:ClusterId"] = BenchEnvironment.Name,
        });
        builder.AddOrleansWorkflow()
            .AddPostgreSqlStorage()
            .AddClusterMembership()
            .AddRabbitMq()
            .AddHandlersFrom(typeof(FireWorkflow).Assembly)
            .AddChainWorkflow(options.ChainLength);
        builder.Services.Configure<RabbitMqOptions>(rabbit => (rabbit.Uri, rabbit.Prefetch, rabbit.ConsumerConcurrency, rabbit.QueueType) = (broker.Uri, broker.Prefetch, broker.ConsumerConcurrency, broker.QueueType));
        builder.Services.AddSingleton(new ChainLength(options.ChainLength));
        builder.Services.Configure<FireSettings>(fire => (fire.WorkTime, fire.PrintTranscript) = (TimeSpan.Zero, false));
        var silo = builder.Build();
        await silo.StartAsync();
        var publisher = new QueuePublisher(broker, silo.Services.GetRequiredService<ILogger<QueuePublisher>>());
        return new BenchEngine(silo, publisher, new WorkflowClient(silo.Services.GetRequiredService<IGrainFactory>(), publisher));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _silo.StopAsync();
        _silo.Dispose();
    }
}
