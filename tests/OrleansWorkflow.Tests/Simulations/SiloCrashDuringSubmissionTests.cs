using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Simulations;

[CollectionDefinition(Name)]
public sealed class SiloCrashCollection
{
    public const string Name = "hpc-silo-crash";
}

/// <summary>Real owf-silo processes on their own database and virtual host, one of them killed with SIGKILL.</summary>
[Collection(SiloCrashCollection.Name)]
public sealed class SiloCrashDuringSubmissionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_killed_right_after_submitting_leaves_one_job_whose_end_still_reaches_the_workflow()
    {
        var machine = LoopbackHpc.Require(LoopbackHpc.Options());
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var settings = LoopbackHpc.RemoteFireSilo();
        settings["OWF_Fire__WorkTime"] = "00:00:00.050";

        Guid incident;
        await using (var first = await SiloProcess.StartAsync(database, broker, settings))
        {
            await using var client = await first.ConnectAsync();
            incident = await Examples.StartFireAsync(client, remote: true);
            await Eventually.UntilAsync(() => LoopbackHpc.JobsUnderAsync($"{machine.BaseDirectory}/{incident}"), jobs => jobs.Count > 0,
                TimeSpan.FromSeconds(120), "the job to be submitted");
            await first.KillAsync();
            output.WriteLine("Killed silo, last simulation lines: " + string.Join("\n", first.Log.Split('\n').Where(l => l.Contains("Simulation "))));
        }

        await using var second = await SiloProcess.StartAsync(database, broker, settings);
        await using var restarted = await second.ConnectAsync();
        var end = await restarted.WaitForEndAsync(incident, TimeSpan.FromMinutes(2));

        output.WriteLine("Restarted silo: " + string.Join("\n", second.Log.Split('\n').Where(l => l.Contains("Simulation "))));
        Assert.Equal(IncidentStatus.Completed, end.Status);
        Assert.Single(await LoopbackHpc.JobsUnderAsync($"{machine.BaseDirectory}/{incident}"));
        var simulation = Assert.Single(await restarted.GetSimulations(incident));
        Assert.Equal(SimulationStatus.Completed, simulation.Status);
        var results = Assert.Single(await restarted.GetSteps(incident), s => s.Queue == FireWorkflow.RemoteFireResults);
        Assert.Equal(SimulationSource.Of(LoopbackHpc.Machine), results.Originator);
    }
}
