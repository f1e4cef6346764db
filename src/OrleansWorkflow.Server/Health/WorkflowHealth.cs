namespace OrleansWorkflow.Health;

/// <summary>Tags of the engine's health checks: <see cref="Live"/> for /healthz, <see cref="Ready"/> for /readyz.</summary>
internal static class WorkflowHealth
{
    /// <summary>The process answers: restart it when this fails.</summary>
    public const string Live = "live";

    /// <summary>The silo can do its work (broker, database, cluster, machines): send it work only while this passes.</summary>
    public const string Ready = "ready";

    /// <summary>How long one check may take before it counts as failed.</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
}
