using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansWorkflow.Adapter;

namespace OrleansWorkflow.Health;

/// <summary>The RabbitMQ adapter holds an open connection to the broker (its consumers are up).</summary>
internal sealed class BrokerHealthCheck(RabbitMqAdapter adapter) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(adapter.IsConnected
            ? HealthCheckResult.Healthy("connected to the broker")
            : HealthCheckResult.Unhealthy("not connected to the broker (starting, or the broker is unreachable)"));
}
