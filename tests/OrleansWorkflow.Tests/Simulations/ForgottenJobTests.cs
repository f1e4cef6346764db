using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Simulations;

[CollectionDefinition(Name)]
public sealed class ForgottenJobCollection
{
    public const string Name = "hpc-forgotten-job";
}

/// <summary>
/// A job that ends while no silo runs, and that Slurm forgets (MinJobAge, 30 s on the loopback Slurm) before a silo
/// asks again: its end is read from the evidence the job left in its working directory.
/// </summary>
[Collection(ForgottenJobCollection.Name)]
public sealed class ForgottenJobTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_job_that_ended_while_no_silo_ran_and_that_Slurm_forgot_reaches_the_workflow_Completed_with_its_exit_code_not_LOST()
    {
        var machine = LoopbackHpc.Require(LoopbackHpc.Options());
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var settings = LoopbackHpc.RemoteFireSilo();
        // Without its evidence, the job would be LOST at the second silo's first poll.
        settings[$"OWF_Hpc__Machines__{LoopbackHpc.Machine}__LostAfter"] = "00:00:20";

        Guid incident;
        string jobId;
        await using (var first = await SiloProcess.StartAsync(database, broker, settings))
        {
            await using var client = await first.ConnectAsync();
            incident = await client.CreateIncident("fire whose job is forgotten", "FIRE");
            await client.SendNow(FireWorkflow.FireSubmitJob, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString() });
            var submitted = await Eventually.UntilAsync(() => client.GetSimulations(incident), s => s.Count == 1 && s[0].JobId is not null,
                TimeSpan.FromSeconds(60), "the job to be submitted");
            jobId = submitted[0].JobId!;
            await first.KillAsync();
        }

        var away = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.UntilAsync(() => LoopbackHpc.SlurmKnowsAsync(jobId), known => !known, TimeSpan.FromMinutes(3), $"Slurm to forget job {jobId}");
        output.WriteLine($"Slurm forgot job {jobId} {away.Elapsed.TotalSeconds:0} s after the silo was killed");

        // sshd is away too as the next silo starts: its first polls get no answer, which must not count the time no
        // silo ran as the scheduler's silence (LostAfter counts from the first unanswered poll).
        SiloProcess started;
        await using (var sshd = await LoopbackHpc.ReserveSshdOutageAsync())
        await using (await sshd.StopAsync())
        {
            started = await SiloProcess.StartAsync(database, broker, settings);
            await started.WaitForLogAsync("cannot be reached", TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        await using var second = started;
        await using var observer = await second.ConnectAsync();
        IncidentInfo end;
        try
        {
            // Other collections stop the shared sshd for up to 30 s: the poll and the results handler wait for it.
            end = await observer.WaitForEndAsync(incident, TimeSpan.FromMinutes(3));
        }
        finally
        {
            output.WriteLine("Second silo: " + string.Join("\n", second.Log.Split('\n').Where(l =>
                l.Contains("Simulation", StringComparison.Ordinal) || l.Contains("Machine", StringComparison.Ordinal) || l.Contains("remote", StringComparison.OrdinalIgnoreCase) || l.Contains("fail:", StringComparison.Ordinal))));
        }
        var simulation = Assert.Single(await observer.GetSimulations(incident));
        output.WriteLine($"incident {end.Status} {end.Reason}; simulation {simulation.Status} exit {simulation.ExitCode}: {simulation.Detail}");

        Assert.Equal(IncidentStatus.Completed, end.Status);
        Assert.Equal(SimulationStatus.Completed, simulation.Status);
        Assert.Equal(0, simulation.ExitCode);
        Assert.Contains("no longer knows the job", simulation.Detail);
        Assert.Single(await observer.GetSteps(incident), s => s.Queue == FireWorkflow.RemoteFireResults && s.Outcome == StepOutcome.Completed);
        Assert.Equal([jobId], await LoopbackHpc.JobsUnderAsync($"{machine.BaseDirectory}/{incident}"));
    }
}
