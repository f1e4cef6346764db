using System.Net;
using Orleans.Configuration;

namespace OrleansWorkflow.Hosting;

public static class WorkflowMembership
{
    /// <summary>
    /// One silo on localhost clustering, or (Cluster:Membership = postgresql) any number of silos forming one cluster
    /// through the membership table in the Storage database, each listening on Cluster:AdvertisedAddress only.
    /// </summary>
    public static ISiloBuilder AddWorkflowMembership(this ISiloBuilder silo, WorkflowSettings settings)
    {
        var cluster = settings.Cluster;
        if (cluster.Membership == ClusterSettings.Localhost)
            return silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);

        silo.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = cluster.ServiceId;
            options.ClusterId = cluster.ClusterId;
        });
        silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: false);
        return silo.UseAdoNetClustering(options =>
        {
            options.Invariant = "Npgsql";
            options.ConnectionString = settings.Storage.ProviderConnectionString;
        });
    }
}
