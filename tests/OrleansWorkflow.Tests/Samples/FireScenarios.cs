using System.Text.Json.Nodes;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Tests.Samples;

/// <summary>
/// An engine a fire scenario runs on: the testing kit in this process (OrleansWorkflow.Testing), or the real engine
/// on RabbitMQ, PostgreSQL, sshd and Slurm. The scenarios and their assertions are the same for both: what the kit
/// decides is what the real engine decides.
/// </summary>
public interface IFireScenarioEngine
{
    WorkflowClient Client { get; }

    /// <summary>The HPC machine remote fire jobs go to.</summary>
    string Machine { get; }

    /// <summary>How long the timeout scenario's join waits: workflow time the kit passes at once, wall time the real engine waits.</summary>
    TimeSpan JoinTimeout { get; }

    /// <summary>Runs the incident until it ends (the kit lets <paramref name="passing"/> of workflow time pass on the way) and returns it.</summary>
    Task<IncidentInfo> RunToEndAsync(Guid incident, TimeSpan passing);
}

/// <summary>The fire sample's scenarios, each with what must come of it.</summary>
public static class FireScenarios
{
    /// <summary>The whole local fire workflow: 9 steps, and the simulation runs once, on the third of its inputs.</summary>
    public static async Task CompletesLocallyAsync(IFireScenarioEngine engine)
    {
        var incident = await StartAsync(engine, new JsonObject());

        var end = await engine.RunToEndAsync(incident, TimeSpan.Zero);

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var steps = await engine.Client.GetSteps(incident);
        Assert.Equal(9, steps.Count);
        Assert.All(steps, s => Assert.Equal(StepOutcome.Completed, s.Outcome));
        var simulations = steps.Where(s => s.Queue == FireWorkflow.FireSimulation).ToList();
        Assert.Equal([FireWorkflow.FireHotspot, FireWorkflow.FireTerrain, FireWorkflow.WeatherResults], simulations.Select(s => s.Originator!).Order());
        Assert.Equal([[], [], [FireWorkflow.FireResults]], simulations.Select(s => s.SentTo));
    }

    /// <summary>The remote path: one job on the machine, its output read back, the incident Completed.</summary>
    public static async Task CompletesRemotelyAsync(IFireScenarioEngine engine)
    {
        var incident = await StartAsync(engine, new JsonObject { ["remote"] = true });

        var end = await engine.RunToEndAsync(incident, TimeSpan.Zero);

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var simulation = Assert.Single(await engine.Client.GetSimulations(incident));
        Assert.Equal((SimulationStatus.Completed, 0, engine.Machine), (simulation.Status, simulation.ExitCode, simulation.Machine));
        var steps = await engine.Client.GetSteps(incident);
        Assert.Equal(10, steps.Count);
        Assert.Equal(FireWorkflow.RemoteFireResults, steps[^1].Queue);
        Assert.DoesNotContain(steps, s => s.Queue == FireWorkflow.FireResults);
    }

    /// <summary>The remote path whose job fails (exit 3): the incident is Cancelled, naming the job, its machine and how it ended.</summary>
    public static async Task IsCancelledWhenItsJobFailsAsync(IFireScenarioEngine engine)
    {
        var incident = await StartAsync(engine, new JsonObject { ["remote"] = true, ["drill_exit_code"] = 3 });

        var end = await engine.RunToEndAsync(incident, TimeSpan.Zero);

        var simulation = Assert.Single(await engine.Client.GetSimulations(incident));
        Assert.Equal((SimulationStatus.Failed, 3), (simulation.Status, simulation.ExitCode));
        Assert.Equal((IncidentStatus.Cancelled, $"the remote fire simulation (job {simulation.JobId} on {engine.Machine}) ended FAILED"), (end.Status, end.Reason));
    }

    /// <summary>Two of the three inputs and no weather: the join's timeout fires it with what arrived, and the incident completes.</summary>
    public static async Task GoesOnWithoutTheMissingInputAfterTheJoinTimeoutAsync(IFireScenarioEngine engine)
    {
        var incident = await engine.Client.CreateIncident("test fire", FireWorkflow.Kind);
        foreach (var queue in new[] { FireWorkflow.FireTerrain, FireWorkflow.FireHotspot })
            await engine.Client.SendNow(queue, new JsonObject { ["IncidentID"] = incident.ToString(), ["data"] = "some data", ["inputs_timeout"] = engine.JoinTimeout.ToString("c") });

        var end = await engine.RunToEndAsync(incident, engine.JoinTimeout);

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var simulations = (await engine.Client.GetSteps(incident)).Where(s => s.Queue == FireWorkflow.FireSimulation).ToList();
        // The first input scheduled the join's timeout (a send to fire_simulation itself); that send fired the join.
        Assert.Equal([FireWorkflow.FireHotspot, FireWorkflow.FireSimulation, FireWorkflow.FireTerrain], simulations.Select(s => s.Originator!).Order());
        Assert.Equal([[FireWorkflow.FireSimulation], [], [FireWorkflow.FireResults]], simulations.Select(s => s.SentTo));
        Assert.True(simulations[2].StartedAt - simulations[0].StartedAt >= engine.JoinTimeout, "the join fired before its timeout");
    }

    /// <summary>A fire incident whose three inputs carry <paramref name="fields"/>.</summary>
    private static async Task<Guid> StartAsync(IFireScenarioEngine engine, JsonObject fields)
    {
        var incident = await engine.Client.CreateIncident("test fire", FireWorkflow.Kind);
        foreach (var queue in FireWorkflow.Entry)
        {
            var message = fields.DeepClone().AsObject();
            message["IncidentID"] = incident.ToString();
            message["data"] = "some data";
            await engine.Client.SendNow(queue, message);
        }
        return incident;
    }
}

/// <summary>The fire scenarios as tests: one subclass runs them on the real engine, another on the testing kit.</summary>
public abstract class FireScenarioSuite
{
    /// <summary>The engine the scenarios run on.</summary>
    protected abstract IFireScenarioEngine Engine { get; }

    [Fact]
    public Task A_fire_incident_completes_locally() => FireScenarios.CompletesLocallyAsync(Engine);

    [Fact]
    public Task A_remote_fire_incident_completes_with_its_jobs_output() => FireScenarios.CompletesRemotelyAsync(Engine);

    [Fact]
    public Task A_remote_fire_incident_whose_job_fails_is_Cancelled_with_the_reason() => FireScenarios.IsCancelledWhenItsJobFailsAsync(Engine);

    [Fact]
    public Task Without_weather_the_join_times_out_and_the_incident_completes_on_two_inputs() => FireScenarios.GoesOnWithoutTheMissingInputAfterTheJoinTimeoutAsync(Engine);
}
