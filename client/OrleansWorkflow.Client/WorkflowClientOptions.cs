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

    /// <summary>The "originator" stamped on messages this client sends.</summary>
    public string Originator { get; set; } = "client";
}
