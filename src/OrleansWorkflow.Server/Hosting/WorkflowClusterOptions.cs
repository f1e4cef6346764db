using OrleansWorkflow.Configuration;
using OrleansWorkflow.Messaging;

namespace OrleansWorkflow.Hosting;

/// <summary>Who this cluster is and how its silos find each other. Bound from the "Cluster" configuration section.</summary>
public sealed class WorkflowClusterOptions : IValidatedOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Cluster";

    /// <summary>The configuration key of <paramref name="property"/>: the one place its name is written is the property itself.</summary>
    private static string Key(string property) => $"{Section}:{property}";

    /// <summary>The engine's Orleans service id: the same on every silo and client of one engine, and across its versions.</summary>
    public string ServiceId { get; set; } = "orleans-workflow";
    /// <summary>The Orleans cluster id: silos with the same one form one cluster.</summary>
    public string ClusterId { get; set; } = "orleans-workflow";
    /// <summary>The port silos talk to each other on.</summary>
    public int SiloPort { get; set; } = 11111;
    /// <summary>The port clients connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Localhost (one silo, the default) or PostgreSql (any number of silos, one cluster, members kept in the Storage
    /// database's membership table).
    /// </summary>
    public ClusterMembership Membership { get; set; } = ClusterMembership.Localhost;

    /// <summary>The address this silo listens on and tells the others (PostgreSql membership). Loopback unless set.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>TLS on silo-to-silo and client-to-gateway links (Cluster:Tls:CertificateFile, :KeyFile, :CaFile, :RequireClientCertificate).</summary>
    public ClusterTls Tls { get; set; } = new();

    /// <summary>
    /// Set true only where the network between silos and clients is private to the cluster: then a silo advertising a
    /// non-loopback address may run without <see cref="Tls"/>.
    /// </summary>
    public bool PrivateNetwork { get; set; }

    /// <inheritdoc />
    public IEnumerable<string> Problems()
    {
        if (!Enum.IsDefined(Membership))
            yield return $"{Key(nameof(Membership))} is {Membership}; set Localhost (one silo) or PostgreSql (several silos sharing the Storage database).";
        if (!System.Net.IPAddress.TryParse(AdvertisedAddress, out _))
            yield return $"{Key(nameof(AdvertisedAddress))} \"{AdvertisedAddress}\" is not an IP address; set the address other silos and clients reach this silo on.";
        if (SiloPort is <= 0 or > 65535 || GatewayPort is <= 0 or > 65535 || SiloPort == GatewayPort)
            yield return $"{Key(nameof(SiloPort))} ({SiloPort}) and {Key(nameof(GatewayPort))} ({GatewayPort}) must be two different ports; give each silo on one machine its own pair.";
        foreach (var problem in Tls.Problems(Key(nameof(Tls)), needsCertificate: true))
            yield return problem;
        if (Membership == ClusterMembership.PostgreSql && System.Net.IPAddress.TryParse(AdvertisedAddress, out var address)
            && !System.Net.IPAddress.IsLoopback(address) && !Tls.Enabled && !PrivateNetwork)
            yield return $"{Key(nameof(AdvertisedAddress))} {AdvertisedAddress} is reachable from other machines, and {Key(nameof(Tls))} is not set: anyone on the network could join the cluster or call its gateway. Configure {Key(nameof(Tls))} (README, \"Silos on several machines\"), or set {Key(nameof(PrivateNetwork))}=true if only the cluster's machines are on that network.";
        if (string.IsNullOrWhiteSpace(ServiceId) || string.IsNullOrWhiteSpace(ClusterId))
            yield return $"{Key(nameof(ServiceId))} and {Key(nameof(ClusterId))} must not be empty; every silo and client of one engine uses the same pair.";
    }
}
