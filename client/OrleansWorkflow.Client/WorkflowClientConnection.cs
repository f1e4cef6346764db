using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansWorkflow.Configuration;
using OrleansWorkflow.Messaging;

// WorkflowClient's operations moved to OrleansWorkflow.Messaging, which the engine's web host shares; code built
// against this package's earlier versions finds them there.
[assembly: TypeForwardedTo(typeof(OrleansWorkflow.Client.WorkflowClient))]
[assembly: TypeForwardedTo(typeof(OrleansWorkflow.Client.IncidentRequest))]
[assembly: TypeForwardedTo(typeof(OrleansWorkflow.Client.Graph.GraphFiles))]

namespace OrleansWorkflow.Client;

/// <summary>How a <see cref="WorkflowClient"/> reaches the engine from a process that is not a silo: the Orleans client and its connection to the cluster.</summary>
public static class WorkflowClientConnection
{
    extension(WorkflowClient)
    {
        /// <summary>
        /// Connects to a silo's gateway and to the broker, on a host of the client's own (for scripts and tools; an app
        /// with a host of its own registers the client in it with <c>AddOrleansWorkflowClient</c>).
        /// </summary>
        public static async Task<WorkflowClient> ConnectAsync(WorkflowClientOptions options, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
        {
            options.Validate();
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            AddOrleansClient(builder, options);
            var host = builder.Build();
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (Exception e) when (GatewayRefusal.Is(e))
            {
                host.Dispose();
                throw new InvalidOperationException(
                    $"The gateway on port {options.GatewayPort} closed every connection of this client at once: it speaks TLS and takes only clients with a certificate of the cluster's CA, which this client did not present or the gateway did not trust. " +
                    "Set Cluster:Tls:CaFile, :CertificateFile and :KeyFile (OWF_Cluster__Tls__*) to the cluster's CA and a client certificate it issued.", e);
            }
            catch (Exception e)
            {
                host.Dispose();
                throw new InvalidOperationException(
                    $"Cannot reach an OrleansWorkflow silo on gateway port {options.GatewayPort} ({e.GetBaseException().Message}). Start one with ./scripts/silo.sh start, or set the gateway port.", e);
            }

            var publisher = new QueuePublisher(options.RabbitMq, (loggers ?? NullLoggerFactory.Instance).CreateLogger<QueuePublisher>());
            return new WorkflowClient(host.Services.GetRequiredService<IClusterClient>(), publisher, options.Originator, new OwnedResources(host, publisher));
        }
    }

    /// <summary>The Orleans client of <paramref name="builder"/>'s host, connected to the engine's silos as <paramref name="options"/> say.</summary>
    internal static void AddOrleansClient(IHostApplicationBuilder builder, WorkflowClientOptions options)
    {
        builder.Services.AddDependencyExceptionSerialization();
        builder.UseOrleansClient(client =>
        {
            UseMembership(client, options);
            client.UseConnectionRetryFilter(new GatewayRefusal().ShouldRetryAsync);
            if (options.Tls.Enabled)
                client.UseTls(tls => options.Tls.Configure(tls, acceptsClients: false));
            if (options.ApiKey is { Length: > 0 } key)
                client.AddOutgoingGrainCallFilter(call =>
                {
                    RequestContext.Set(GatewayApiKey.RequestContextKey, key);
                    return call.Invoke();
                });
        });
    }

    private static void UseMembership(IClientBuilder client, WorkflowClientOptions options)
    {
        if (options.Membership == ClusterMembership.Localhost)
        {
            client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            return;
        }
        if (options.Membership != ClusterMembership.PostgreSql || string.IsNullOrWhiteSpace(options.PostgreSql))
            throw new ArgumentException($"Cluster membership {options.Membership} needs: Localhost, or PostgreSql with the engine's database (OWF_Storage__PostgreSql).");
        client.Configure<Orleans.Configuration.ClusterOptions>(cluster =>
        {
            cluster.ServiceId = options.ServiceId;
            cluster.ClusterId = options.ClusterId;
        });
        client.UseAdoNetClustering(adoNet =>
        {
            adoNet.Invariant = "Npgsql";
            adoNet.ConnectionString = options.PostgreSql;
        });
        // Silos join and leave while incidents run: learn of it within seconds rather than Orleans' default minute.
        client.Configure<Orleans.Configuration.GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
    }

    private sealed class OwnedResources(IHost host, QueuePublisher publisher) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await publisher.DisposeAsync();
            await host.StopAsync();
            host.Dispose();
        }
    }
}

/// <summary>
/// How the client connects: a gateway that does not answer yet (a silo starting) is tried again, as Orleans would; a
/// gateway that accepts the connection and closes it at once, again and again, is refusing this client (cluster TLS
/// without the client's certificate, or with one the cluster does not trust), and waiting would change nothing.
/// </summary>
internal sealed class GatewayRefusal
{
    private const int ClosedAttempts = 3;
    private int _closed;

    public static bool Is(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is Microsoft.AspNetCore.Connections.ConnectionAbortedException or System.Security.Authentication.AuthenticationException)
                return true;
        return false;
    }

    public async Task<bool> ShouldRetryAsync(Exception e, CancellationToken cancellationToken)
    {
        if (Is(e) && Interlocked.Increment(ref _closed) >= ClosedAttempts)
            return false;
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return true;
    }
}
