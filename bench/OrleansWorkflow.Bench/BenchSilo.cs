using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Samples.Fire;

namespace OrleansWorkflow.Bench;

/// <summary>
/// The engine silo of the bench, in a process of its own (<c>owf-bench silo ...</c>): shipped defaults, the chain and
/// the fire workflows. Its CPU time and peak working set are the engine's alone, not the bench clients'.
/// </summary>
public static class BenchSilo
{
    public const string Command = "silo";
    public const string Ready = "[silo] ready";

    /// <summary>The arguments the bench starts the silo with.</summary>
    public static string[] Arguments(int gatewayPort, RabbitMqOptions broker, BenchOptions options) =>
        [Command, gatewayPort.ToString(), broker.Prefetch.ToString(), broker.ConsumerConcurrency.ToString(), options.ChainLength.ToString()];

    /// <summary>Runs the silo until the bench closes its standard input (or dies).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var (gatewayPort, prefetch, concurrency, chain) = (int.Parse(args[1]), ushort.Parse(args[2]), ushort.Parse(args[3]), int.Parse(args[4]));
        var environment = new BenchEnvironment();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:PostgreSql"] = environment.Database,
            ["Cluster:SiloPort"] = FreePort().ToString(),
            ["Cluster:GatewayPort"] = gatewayPort.ToString(),
            ["Cluster:ServiceId"] = BenchEnvironment.Name,
            ["Cluster:ClusterId"] = BenchEnvironment.Name,
        });
        builder.AddOrleansWorkflow()
            .AddPostgreSqlStorage()
            .AddClusterMembership()
            .AddRabbitMq()
            .AddHandlersFrom(typeof(FireWorkflow).Assembly)
            .AddChainWorkflow(chain);
        builder.Services.Configure<RabbitMqOptions>(rabbit => (rabbit.Uri, rabbit.Prefetch, rabbit.ConsumerConcurrency) = (environment.BrokerUri, prefetch, concurrency));
        builder.Services.AddSingleton(new ChainLength(chain));
        // The bench silo has no web component, which keeps the API keys: its one client (the bench) is let in by name.
        builder.Services.AddSingleton<Access.IGatewayCallers, BenchCaller>();
        builder.Services.Configure<FireSettings>(fire => (fire.WorkTime, fire.PrintTranscript) = (TimeSpan.Zero, false));
        var calls = new GrainCallCounter();
        builder.Services.AddSingleton<IOutgoingGrainCallFilter>(calls);
        using var silo = builder.Build();
        await silo.StartAsync();
        Console.WriteLine(Ready);
        // The bench's questions, one per line, until it closes the input.
        while (await Console.In.ReadLineAsync() is { } request)
            if (request == GrainCallCounter.Request)
                Console.WriteLine(calls.Report());
        await silo.StopAsync();
        return 0;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The bench's own client, the only one of its silo: every change is allowed, under the name "bench".</summary>
internal sealed class BenchCaller : Access.IGatewayCallers
{
    public Task<Access.GatewayCaller> AuthorizeAsync(string? key, string role) => Task.FromResult(new Access.GatewayCaller("bench", role, null));
}
