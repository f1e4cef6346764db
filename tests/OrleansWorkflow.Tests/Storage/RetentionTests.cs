using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Storage;

[CollectionDefinition(Name)]
public sealed class RetentionCollection
{
    public const string Name = "retention";
}

/// <summary>A real owf-silo with Workflow:Retention = 10 s, its finished incidents' rows counted in PostgreSQL.</summary>
[Collection(RetentionCollection.Name)]
public sealed class RetentionTests
{

    [Fact]
    public async Task A_finished_incidents_working_data_is_purged_after_the_retention_or_by_owf_purge_and_its_record_and_graph_stay()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var settings = LoopbackHpc.RemoteFireSilo();
        settings["OWF_Workflow__Retention"] = "00:00:10";
        settings["OWF_Fire__WorkTime"] = "00:00:00";
        await using var silo = await SiloProcess.StartAsync(database, broker, settings);
        await using var client = await silo.ConnectAsync();

        // One remote fire incident that completes (with a Slurm job), one that waits at its join.
        var finished = await Examples.StartFireAsync(client, remote: true);
        var waiting = await client.CreateIncident("fire waiting for weather", "FIRE");
        await client.SendNow(FireWorkflow.FireTerrain, new JsonObject { [WireContract.IncidentIdKey] = waiting.ToString() });
        Assert.Equal(IncidentStatus.Completed, (await client.WaitForEndAsync(finished, TimeSpan.FromMinutes(2))).Status);
        var simulation = Assert.Single(await client.GetSimulations(finished));
        var steps = await client.GetSteps(finished);
        Assert.Equal(1, await database.StateRowsAsync(simulation.SimulationId, "simulation"));
        // Its handlers' documents go when it finishes; their journal entries are its steps and stay.
        await Eventually.UntilAsync(() => database.HandlerDataAsync(finished), rows => rows == 0, TimeSpan.FromSeconds(60), "the handlers' documents to be cleared");
        Assert.Equal(steps.Count(s => s.Outcome == StepOutcome.Completed), await database.HandlerRowsAsync(finished));

        await Eventually.UntilAsync(() => database.StateRowsAsync(simulation.SimulationId, "simulation"), rows => rows == 0, TimeSpan.FromSeconds(60),
            "the simulation's row to be purged");
        // The purge is recorded last, after the rows are gone.
        await Eventually.UntilAsync(() => database.CountAsync("SELECT count(*) FROM owf_incident WHERE incident_id = @id AND purged_at IS NOT NULL", ("id", finished)),
            marked => marked == 1, TimeSpan.FromSeconds(60), "the incident's record to say when it was purged");
        // The record stays whole: status, every step, the simulation as last seen, the graph.
        Assert.Equal(IncidentStatus.Completed, (await client.GetIncident(finished)).Status);
        Assert.Equal(steps.Count, (await client.GetSteps(finished)).Count);
        Assert.Equal(SimulationStatus.Completed, Assert.Single(await client.GetSimulations(finished)).Status);
        Assert.Contains((await client.GetGraph(finished)).Nodes, n => n.Id == FireWorkflow.RemoteFireResults);
        // An incident still running keeps its data.
        Assert.True(await database.HandlerDataAsync(waiting) > 0);

        // owf purge does now what the retention does later.
        await client.Complete(waiting);
        var (exitCode, output, errors) = await OwfCommand.RunAsync(silo, "purge", "--older-than", "0");
        Assert.True(exitCode == 0, $"owf purge exited {exitCode}: {output} {errors}");
        Assert.Contains("Purged the working data of 1 incident finished more than 00:00:00 ago", output);
        Assert.Equal(0, await database.HandlerDataAsync(waiting));
        var (_, again, _) = await OwfCommand.RunAsync(silo, "purge", "--older-than", "0");
        Assert.Contains("Purged the working data of 0 incidents", again);
    }
}
