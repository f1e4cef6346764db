namespace OrleansWorkflow.Configuration;

/// <summary>How silos (and clients) find each other.</summary>
public enum ClusterMembership
{
    /// <summary>One silo on this machine; clients reach it at its gateway port.</summary>
    Localhost = 0,

    /// <summary>Any number of silos forming one cluster through the membership table in the engine's PostgreSQL database.</summary>
    PostgreSql = 1,
}
