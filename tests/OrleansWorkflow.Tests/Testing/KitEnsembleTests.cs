using System.Text.Json.Nodes;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Testing;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Testing;

/// <summary>An ensemble's join rules with the testing kit's fake machine (a job per member) and fake clock.</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class KitEnsembleTests(KitEngine kit) : IClassFixture<KitEngine>
{
    private WorkflowTestEnvironment Engine => kit.Engine;

    [Fact]
    public async Task Members_told_one_by_one_come_before_the_ensembles_end_which_is_told_once_all_completed()
    {
        var (incident, jobs) = await SubmitAsync(new JsonObject { ["sleeps"] = new JsonArray(1, 1, 1), ["tell_members"] = true });

        Assert.Equal(["member 0\n", "member 1\n", "member 2\n"], jobs.Select(j => j.Files["input.txt"]));
        foreach (var job in jobs)
            job.Start().Complete();
        await Engine.RunUntilQuietAsync();

        var told = Ends(incident);
        Assert.Equal(4, told.Count);
        Assert.All(told.Take(3), m => Assert.NotNull(m.Member));
        Assert.Equal([0, 1, 2], told.Take(3).Select(m => m.Member!.Value).Order());
        var ensemble = told[^1];
        Assert.Equal((SimulationStatus.Completed, "3 of 3 members completed (3 needed)", 3), (ensemble.Status, ensemble.Detail, ensemble.Members.Count));
        Assert.All(told.Take(3), m => Assert.Equal(ensemble.SimulationId, m.EnsembleId));
    }

    [Fact]
    public async Task The_ensemble_ends_Failed_as_soon_as_the_members_needed_can_no_longer_complete_and_the_rest_are_cancelled()
    {
        var (incident, jobs) = await SubmitAsync(new JsonObject { ["sleeps"] = new JsonArray(1, 1, 1, 1), ["needed"] = 3 });

        jobs[0].Start().Complete();
        jobs[1].Start().Fail(2);
        await Engine.RunUntilQuietAsync();
        var before = Ends(incident).Count;
        jobs[2].Start().Fail(2);
        await Engine.RunUntilQuietAsync();

        Assert.Equal(0, before);
        var ensemble = Assert.Single(Ends(incident));
        Assert.Equal((SimulationStatus.Failed, "1 of 4 members completed (3 needed), 2 ended otherwise; the members needed can no longer complete"), (ensemble.Status, ensemble.Detail));
        Assert.Equal(SimulationStatus.Cancelled, jobs[3].Status);
    }

    [Fact]
    public async Task With_a_time_to_wait_the_ensemble_ends_when_it_passes_on_the_fake_clock_with_the_members_completed_by_then()
    {
        var (incident, jobs) = await SubmitAsync(new JsonObject { ["sleeps"] = new JsonArray(1, 1, 1), ["within_minutes"] = 30 });
        jobs[0].Start().Complete();
        jobs[1].Start().Complete();
        jobs[2].Start();
        await Engine.RunUntilQuietAsync();

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(1));
        var before = Ends(incident).Count;
        await Engine.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(0, before);
        var ensemble = Assert.Single(Ends(incident));
        Assert.Equal((SimulationStatus.Timeout, "2 of 3 members completed (3 needed); its time (00:30:00) passed first"), (ensemble.Status, ensemble.Detail));
        Assert.Equal([SimulationStatus.Completed, SimulationStatus.Completed, SimulationStatus.Running], ensemble.Members.Select(m => m.Status));
        Assert.Equal(SimulationStatus.Cancelled, jobs[2].Status);
    }

    private async Task<(Guid Incident, IReadOnlyList<FakeJob> Jobs)> SubmitAsync(JsonObject request)
    {
        var incident = await Engine.Client.CreateIncident("ensemble", "TEST");
        request["machine"] = KitEngine.Machine;
        await Engine.SendAsync(incident, HpcTestQueues.Ensemble, request);
        await Engine.RunUntilQuietAsync();
        return (incident, [.. Engine.Machine(KitEngine.Machine).Jobs.Where(j => j.WorkingDirectory.Contains(incident.ToString()))]);
    }

    private List<SimulationEnd> Ends(Guid incident) =>
        [.. Engine.SentTo(HpcTestQueues.End).Select(m => SimulationEnd.From(m.Body)).Where(e => e.IncidentId == incident)];
}
