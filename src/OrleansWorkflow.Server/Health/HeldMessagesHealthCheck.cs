using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansWorkflow.Adapter;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Health;

/// <summary>Degraded while messages are held for a workflow version no live silo runs, naming the versions and the fix.</summary>
internal sealed class HeldMessagesHealthCheck(HeldMessages held, ClusterWorkflowVersions versions) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var counts = await held.CountAsync(cancellationToken);
        if (counts.Count == 0)
            return HealthCheckResult.Healthy("no message is held for a workflow version");
        var described = counts.Select(c => $"{c.Count} of {c.Workflow} (live silos run {c.Workflow.Kind}: {versions.Describe(c.Workflow.Kind)})");
        return HealthCheckResult.Degraded($"messages held until a silo that runs their workflow version is up: {string.Join("; ", described)}. Start a silo whose handlers declare that version (AddWorkflowVersions)");
    }
}
