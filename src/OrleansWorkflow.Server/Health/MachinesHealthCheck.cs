using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Health;

/// <summary>
/// How this silo's last poll of each HPC machine went. A machine that could not be reached makes the silo Degraded,
/// not Unhealthy: the silo still does all other work, and its jobs are polled again when the machine is back.
/// </summary>
internal sealed class MachinesHealthCheck(HpcMachines machines, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var polls = machines.LastPolls.ToList();
        var data = polls.ToDictionary(p => p.Machine, p => (object)(p.Poll.Error is null ? $"answered at {p.Poll.At:O}" : $"unreachable at {p.Poll.At:O}: {p.Poll.Error}"));
        var problems = polls.Where(p => p.Poll.Error is not null).Select(p => $"{p.Machine} unreachable at the last poll").ToList();
        foreach (var (machine, validBefore, problem) in machines.Certificates)
        {
            var said = CertificateState(machine, validBefore, problem);
            data[$"{machine} certificate"] = said.Text;
            if (said.Problem)
                problems.Add(said.Text);
        }
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy(polls.Count == 0 ? "no machine polled yet" : "every polled machine answered", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data));
    }

    /// <summary>What to say of a machine's certificate, and whether it is a problem: expired, soon to expire, or unreadable.</summary>
    private (string Text, bool Problem) CertificateState(string machine, DateTimeOffset? validBefore, string? problem)
    {
        if (validBefore is not { } until)
            return ($"{machine}: its certificate (Hpc:Machines:{machine}:Certificate) cannot be read: {problem}", true);
        var left = until - clock.GetUtcNow();
        if (left <= TimeSpan.Zero)
            return ($"{machine}: its certificate expired at {until:O}; refresh Hpc:Machines:{machine}:Certificate (nothing is submitted or polled until then)", true);
        if (left <= machines.CertificateWarning(machine))
            return ($"{machine}: its certificate expires at {until:O}, in {left.TotalMinutes:0} min; refresh Hpc:Machines:{machine}:Certificate", true);
        return ($"{machine}: certificate valid until {until:O}", false);
    }
}
