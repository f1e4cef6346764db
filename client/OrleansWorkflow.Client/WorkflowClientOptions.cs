using Microsoft.Extensions.Configuration;
using OrleansWorkflow.Configuration;
using OrleansWorkflow.Messaging;

namespace OrleansWorkflow.Client;

/// <summary>Where the client finds the engine's silos and the broker.</summary>
public sealed class WorkflowClientOptions
{
    /// <summary>The broker the client publishes to (section RabbitMQ).</summary>
    public RabbitMqOptions RabbitMq { get; init; } = new();

    /// <summary>Gateway port of a silo on this machine (localhost clustering).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The engine's Orleans service id (Cluster:ServiceId), the same on every silo and client.</summary>
    public string ServiceId { get; set; } = "orleans-workflow";
    /// <summary>The engine's Orleans cluster id (Cluster:ClusterId).</summary>
    public string ClusterId { get; set; } = "orleans-workflow";

    /// <summary>Localhost (one silo on this machine, at <see cref="GatewayPort"/>) or PostgreSql (any silo of the cluster, found in the membership table).</summary>
    public ClusterMembership Membership { get; set; } = ClusterMembership.Localhost;

    /// <summary>The engine's database, where the membership table is (postgresql membership only).</summary>
    public string? PostgreSql { get; set; }

    /// <summary>
    /// TLS to the gateway (Cluster:Tls:CaFile, and :CertificateFile with :KeyFile when the silos require client
    /// certificates, as they do by default): the client trusts only silos whose certificates the cluster's CA issued.
    /// </summary>
    public ClusterTls Tls { get; set; } = new();

    /// <summary>
    /// The API key this client names itself with: the engine lets a gateway client create, complete and cancel
    /// incidents, set machines' modes and purge only with a key whose role allows it, and writes each change to its
    /// audit log under the key's name. Reads need no key. Null: changes are refused.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>The "originator" stamped on messages this client sends.</summary>
    public string Originator { get; set; } = "client";

    /// <summary>
    /// Options from OWF_* environment variables (OWF_RabbitMQ__Uri, OWF_Cluster__GatewayPort, ...), as the silo reads
    /// them, and the API key from OWF_API_KEY; without it, the admin key file the cluster's first silo wrote on this
    /// machine (Web:AdminKeyFile, or ~/.config/orleans-workflow/&lt;ClusterId&gt;.admin-key), if this user can read it.
    /// </summary>
    public static WorkflowClientOptions FromEnvironment()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables("OWF_").Build();
        var options = FromConfiguration(configuration);
        options.ApiKey = configuration["API_KEY"] is { Length: > 0 } key ? key : AdminKeyOnThisMachine(configuration["Web:AdminKeyFile"], options.ClusterId);
        return options;
    }

    /// <summary>
    /// Options from <paramref name="configuration"/>, under the keys a silo reads: the RabbitMQ section, the Cluster
    /// section (GatewayPort, ServiceId, ClusterId, Membership, Tls, and the client's ApiKey and Originator), and
    /// Storage:PostgreSql. A value that does not convert is reported with its key, every one in one error.
    /// </summary>
    public static WorkflowClientOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new WorkflowClientOptions();
        var problems = SettingsBinding.Bind(configuration.GetSection(RabbitMqOptions.Section), options.RabbitMq)
            .Concat(SettingsBinding.Bind(configuration.GetSection("Cluster"), options)).ToList();
        if (problems.Count > 0)
            throw new SettingsException(problems);
        options.PostgreSql = configuration["Storage:PostgreSql"] ?? options.PostgreSql;
        return options;
    }

    /// <summary>Throws a <see cref="SettingsException"/> naming every setting the client cannot connect with.</summary>
    internal void Validate()
    {
        RabbitMq.Validate();
        if (Tls.Problems("Cluster:Tls", needsCertificate: false).ToList() is { Count: > 0 } problems)
            throw new SettingsException(problems);
    }

    /// <summary>
    /// The admin key the cluster's first silo wrote on this machine, when this user may read it (a developer's or an
    /// operator's own machine); null otherwise.
    /// </summary>
    private static string? AdminKeyOnThisMachine(string? configured, string clusterId)
    {
        var file = AdminKeyFile.PathFor(configured, clusterId);
        try
        {
            return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
