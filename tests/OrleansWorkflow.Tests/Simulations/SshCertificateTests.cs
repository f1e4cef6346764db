using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>
/// Machines reached with an OpenSSH user certificate (a key the account does not list, signed by the loopback
/// machine's user CA, which its sshd trusts), as sites that issue short-lived certificates after MFA ask.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class SshCertificateTests(EngineFixture engine)
{
    [Fact]
    public async Task A_machine_reached_with_a_certificate_runs_jobs_and_shows_until_when_it_is_valid()
    {
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\necho certified > out.txt\n", LoopbackHpc.Certified);

        var end = await engine.EndOfTestJobAsync(incident);

        Assert.Equal("COMPLETED", end["status"]!.GetValue<string>());
        var machine = Assert.Single(await engine.Client.GetMachines(), m => m.Machine == LoopbackHpc.Certified);
        Assert.InRange(machine.CertificateValidBefore!.Value, DateTimeOffset.UtcNow.AddMinutes(100), DateTimeOffset.UtcNow.AddHours(2));
    }

    [Fact]
    public async Task With_its_certificate_expired_a_machine_shows_the_expiry_in_readyz_and_nothing_is_submitted_or_read_as_an_end()
    {
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\nexit 0\n", LoopbackHpc.CertificateExpired);

        var simulation = await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(incident)).SingleOrDefault(),
            s => s?.Detail?.StartsWith("not submitted yet", StringComparison.Ordinal) == true, "the submission to fail on the expired certificate");
        var report = await engine.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Name == "hpc-machines");
        // Polls go on (the poller tries every second) and read nothing as the job's end.
        await Task.Delay(TimeSpan.FromSeconds(5));

        var entry = report.Entries["hpc-machines"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains($"{LoopbackHpc.CertificateExpired}: its certificate expired at", entry.Description);
        Assert.Contains($"{LoopbackHpc.CertificateSoonExpired}: its certificate expires at", entry.Description);
        Assert.StartsWith($"{LoopbackHpc.Certified}: certificate valid until", (string)entry.Data[$"{LoopbackHpc.Certified} certificate"]);
        Assert.Equal((SimulationStatus.Requested, null), (simulation!.Status, simulation.JobId));
        Assert.Equal(SimulationStatus.Requested, (await engine.Client.GetSimulations(incident)).Single().Status);
        Assert.Empty(await engine.Handler(incident, HpcTestQueues.End).GetPersisted());
        Assert.Contains("cannot be reached", simulation.Detail);
    }
}
