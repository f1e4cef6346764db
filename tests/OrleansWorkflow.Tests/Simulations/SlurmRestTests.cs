using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>A machine whose Slurm the engine drives through the real slurmrestd on loopback, with a JWT Slurm issued.</summary>
[Collection(EngineCollection.Name)]
public sealed class SlurmRestTests(EngineFixture engine)
{
    [Fact]
    public async Task A_job_goes_to_Slurm_through_slurmrestd_not_sbatch_and_its_exit_code_comes_back()
    {
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\ncat input.txt > seen.txt\nsleep 3\nexit 3\n", LoopbackHpc.Rest);
        var running = await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(incident)).SingleOrDefault(),
            s => s?.Status == SimulationStatus.Running, "the job to run");
        // sbatch records the script's path as the job's Command; a script handed over through the REST API has none.
        var job = await TestServices.RunAsync("scontrol", "-o", "show", "job", running!.JobId!);

        var end = await engine.EndOfTestJobAsync(incident);

        Assert.Contains(" Command=(null) ", job);
        Assert.Equal("input for the job\n", await engine.ReadJobFileAsync(incident, end, "seen.txt"));
        Assert.Contains($" WorkDir={running.WorkingDirectory} ", job);
        Assert.Equal(("FAILED", 3), (end["status"]!.GetValue<string>(), end["exitCode"]!.GetValue<int>()));
    }

    [Fact]
    public async Task With_a_token_slurmrestd_refuses_nothing_is_submitted_and_the_simulation_says_why()
    {
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\nexit 0\n", LoopbackHpc.RestRefused);

        var simulation = await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(incident)).SingleOrDefault(),
            s => s?.Detail?.StartsWith("not submitted yet", StringComparison.Ordinal) == true, "the submission to be refused");
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal((SimulationStatus.Requested, null), (simulation!.Status, simulation.JobId));
        Assert.Contains("slurmrestd", simulation.Detail);
        Assert.Equal(SimulationStatus.Requested, (await engine.Client.GetSimulations(incident)).Single().Status);
        Assert.Empty(await engine.Handler(incident, HpcTestQueues.End).GetPersisted());
    }

    [Fact]
    public async Task The_remote_fire_example_runs_to_Completed_on_a_machine_driven_through_slurmrestd()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var settings = LoopbackHpc.RemoteFireSilo();
        foreach (var (key, value) in LoopbackHpc.RestDriven())
            settings[key] = value;
        await using var silo = await SiloProcess.StartAsync(database, broker, settings);
        await using var client = await silo.ConnectAsync();
        var submissionsBefore = await LoopbackHpc.RestSubmissionsAsync();

        var incident = await client.CreateIncident("remote fire through slurmrestd", FireWorkflow.Kind);
        await client.SendNow(FireWorkflow.FireSubmitJob, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString() });
        var end = await client.WaitForEndAsync(incident, TimeSpan.FromMinutes(3));

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var simulation = Assert.Single(await client.GetSimulations(incident));
        Assert.Equal((SimulationStatus.Completed, 0, LoopbackHpc.Machine), (simulation.Status, simulation.ExitCode, simulation.Machine));
        // slurmrestd logged the one submission (sbatch over SSH would leave none there).
        Assert.Equal(submissionsBefore + 1, await LoopbackHpc.RestSubmissionsAsync());
    }
}
