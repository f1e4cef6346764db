using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Health;

/// <summary>
/// How this silo's last poll of each HPC machine went. A machine that could not be reached makes the silo Degraded,
/// not Unhealthy: the silo still does all other work, and its jobs are polled again when the machine is back.
/// </summary>
internal sealed class MachinesHealthCheck(HpcMachines machines) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var polls = machines.LastPolls.ToList();
        var data = polls.ToDictionary(p => p.Machine, p => (object)(p.Poll.Error is null ? $"answered at {p.Poll.At:O}" : $"unreachable at {p.Poll.At:O}: {p.Poll.Error}"));
        var unreachable = polls.Where(p => p.Poll.Error is not null).Select(p => p.Machine).ToList();
        return Task.FromResult(unreachable.Count == 0
            ? HealthCheckResult.Healthy(polls.Count == 0 ? "no machine polled yet" : "every polled machine answered", data)
            : HealthCheckResult.Degraded($"unreachable at the last poll: {string.Join(", ", unreachable)}", data: data));
    }
}
