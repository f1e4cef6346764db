using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Graph;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Samples;

[Collection(EngineCollection.Name)]
public sealed class FireWorkflowTests(EngineFixture engine)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_remote_fire_incident_runs_its_simulation_as_one_Slurm_job_and_completes_with_its_results()
    {
        var machine = LoopbackHpc.Require(engine.Options<HpcOptions>());
        var incident = await Examples.StartFireAsync(engine.Client, remote: true);

        var end = await engine.Client.WaitForEndAsync(incident, Patience);

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var simulation = Assert.Single(await engine.Client.GetSimulations(incident));
        Assert.Equal((SimulationStatus.Completed, 0), (simulation.Status, simulation.ExitCode));
        Assert.Equal([simulation.JobId!], await LoopbackHpc.JobsUnderAsync($"{machine.BaseDirectory}/{incident}"));
        Assert.Equal("lots of fire - simulated remotely!\n", await File.ReadAllTextAsync($"{simulation.WorkingDirectory}/output.dat"));
        var graph = await engine.Client.GetGraph(incident);
        Assert.Contains(new GraphEdge(FireWorkflow.FireSubmitJob, SimulationSource.Of(LoopbackHpc.Machine), 1), graph.Edges);
        Assert.Contains(new GraphEdge(SimulationSource.Of(LoopbackHpc.Machine), FireWorkflow.RemoteFireResults, 1), graph.Edges);
        Assert.DoesNotContain(graph.Nodes, n => n.Id == FireWorkflow.FireResults);
    }

    [Fact]
    public async Task The_graph_of_a_finished_fire_incident_holds_exactly_the_workflow_that_ran()
    {
        var incident = await Examples.StartFireAsync(engine.Client);
        await engine.Client.WaitForEndAsync(incident, Patience);

        var graph = GraphFormats.FromJson(GraphFormats.ToJson(await engine.Client.GetGraph(incident)))!;

        Assert.Equal(IncidentStatus.Completed, graph.Status);
        Assert.Equal(
            ["client", "fire_hotspot", "fire_results", "fire_simulation", "fire_terrain", "weather_data", "weather_results", "weather_simulation"],
            graph.Nodes.Select(n => n.Id).Order());
        Assert.Equal(
            [
                "client->fire_hotspot", "client->fire_terrain", "client->weather_data",
                "fire_hotspot->fire_simulation", "fire_simulation->fire_results", "fire_terrain->fire_simulation",
                "weather_data->weather_simulation", "weather_results->fire_simulation", "weather_simulation->weather_results",
            ],
            graph.Edges.Select(e => $"{e.From}->{e.To}").Order());
        Assert.All(graph.Edges, e => Assert.Equal(1, e.Messages));
        Assert.All(graph.Nodes.Where(n => !n.IsSource), n => Assert.Equal(NodeStatus.Completed, n.Status));
        Assert.Equal(3, graph.Nodes.Single(n => n.Id == FireWorkflow.FireSimulation).Handled);
    }

    [Fact]
    public async Task A_graph_drawn_mid_run_shows_nodes_still_waiting_or_at_work()
    {
        var incident = await Examples.StartFireAsync(engine.Client);

        var midRun = await Eventually.UntilAsync(() => engine.Client.GetGraph(incident),
            g => g.Nodes.Any(n => n.Id == FireWorkflow.WeatherSimulation), Patience, "the weather chain to start");

        Assert.NotEqual(IncidentStatus.Completed, midRun.Status);
        Assert.Contains(midRun.Nodes, n => n.Status is NodeStatus.Sent or NodeStatus.Processing);
        Assert.DoesNotContain(midRun.Nodes, n => n.Id == FireWorkflow.FireResults);
        await engine.Client.WaitForEndAsync(incident, Patience);
    }

    [Fact]
    public async Task Ten_fire_incidents_started_at_once_all_complete_each_joining_once()
    {
        var incidents = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Examples.StartFireAsync(engine.Client)));

        var ends = await Task.WhenAll(incidents.Select(i => engine.Client.WaitForEndAsync(i, Patience)));

        Assert.All(ends, e => Assert.Equal(IncidentStatus.Completed, e.Status));
        foreach (var incident in incidents)
        {
            var steps = await engine.Client.GetSteps(incident);
            Assert.Equal(3, steps.Count(s => s.Queue == FireWorkflow.FireSimulation));
            Assert.Equal(1, steps.Count(s => s.Queue == FireWorkflow.FireSimulation && s.SentTo.Contains(FireWorkflow.FireResults)));
            Assert.Equal(1, steps.Count(s => s.Queue == FireWorkflow.FireResults));
        }
    }
}
