using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansWorkflow.Configuration;
using OrleansWorkflow.Health;
using OrleansWorkflow.Messaging;
using Orleans.Connections.Security;

namespace OrleansWorkflow.Hosting;

/// <summary>Adds the engine's cluster membership to an <see cref="IWorkflowBuilder"/>.</summary>
public static class ClusterMembershipExtensions
{
    /// <summary>
    /// How this silo finds the others (configuration section "Cluster"): one silo on localhost clustering (the
    /// default), or, with Membership = PostgreSql, any number of silos forming one cluster through the membership
    /// table in the Storage database, each listening on Cluster:AdvertisedAddress only. Its state is part of /readyz.
    /// </summary>
    /// <param name="workflow">The engine being built.</param>
    /// <param name="configure">Settings given in code, applied after the configuration section.</param>
    public static IWorkflowBuilder AddClusterMembership(this IWorkflowBuilder workflow, Action<WorkflowClusterOptions>? configure = null)
    {
        workflow.AddSettings<WorkflowClusterOptions>(WorkflowClusterOptions.Section, configure);
        workflow.Services.AddSingleton<ClusterMembershipConfigured>();
        workflow.Services.AddHealthChecks().AddCheck<MembershipHealthCheck>("membership", tags: [WorkflowHealth.Ready]);

        // Ports and membership shape the silo as it is built; bad values among them are reported when it starts.
        var cluster = workflow.Peek<WorkflowClusterOptions>(WorkflowClusterOptions.Section);
        var silo = workflow.Silo;
        if (cluster.Tls.Enabled && !cluster.Tls.Problems("Cluster:Tls", needsCertificate: true).Any())
            silo.UseTls(tls => cluster.Tls.Configure(tls, acceptsClients: true));
        if (cluster.Membership != ClusterMembership.PostgreSql)
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            workflow.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, LocalhostClusterLock>();
            return workflow;
        }

        silo.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = cluster.ServiceId;
            options.ClusterId = cluster.ClusterId;
        });
        var address = IPAddress.TryParse(cluster.AdvertisedAddress, out var parsed) ? parsed : IPAddress.Loopback;
        silo.ConfigureEndpoints(address, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: false);
        silo.UseAdoNetClustering((OptionsBuilder<AdoNetClusteringSiloOptions> options) =>
            options.OnEngineDatabase((adoNet, invariant, connection) => (adoNet.Invariant, adoNet.ConnectionString) = (invariant, connection)));
        return workflow;
    }
}
