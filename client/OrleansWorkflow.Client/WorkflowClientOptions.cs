using Microsoft.Extensions.Configuration;
using OrleansWorkflow.Messaging;

namespace OrleansWorkflow.Client;

/// <summary>Where the client finds the engine's silos and the broker.</summary>
public sealed class WorkflowClientOptions
{
    public RabbitMqOptions RabbitMq { get; init; } = new();

    /// <summary>Gateway port of a silo on this machine (localhost clustering).</summary>
    public int GatewayPort { get; set; } = 30000;

    public string ServiceId { get; set; } = "orleans-workflow";
    public string ClusterId { get; set; } = "orleans-workflow";

    /// <summary>"localhost" (one silo on this machine, at <see cref="GatewayPort"/>) or "postgresql" (any silo of the cluster, found in the membership table).</summary>
    public string Membership { get; set; } = "localhost";

    /// <summary>The engine's database, where the membership table is (postgresql membership only).</summary>
    public string? PostgreSql { get; set; }

    /// <summary>The "originator" stamped on messages this client sends.</summary>
    public string Originator { get; set; } = "client";

    /// <summary>Options from OWF_* environment variables (OWF_RabbitMQ__Uri, OWF_Cluster__GatewayPort, ...), as the silo reads them.</summary>
    public static WorkflowClientOptions FromEnvironment()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables("OWF_").Build();
        var options = new WorkflowClientOptions();
        configuration.GetSection(RabbitMqOptions.Section).Bind(options.RabbitMq);
        configuration.GetSection("Cluster").Bind(options);
        options.PostgreSql = configuration["Storage:PostgreSql"] ?? options.PostgreSql;
        return options;
    }
}
