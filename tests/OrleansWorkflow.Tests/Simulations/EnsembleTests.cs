using System.Text.Json.Nodes;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>Ensembles on the real loopback Slurm: as one scheduler array, and as a job per member on a machine that refuses arrays.</summary>
[Collection(EngineCollection.Name)]
public sealed class EnsembleTests(EngineFixture engine)
{
    // Members 0-3 end within seconds; 4 and 5 would sleep ten minutes, and are running when the join fires.
    private static readonly int[] Sleeps = [1, 1, 2, 2, 600, 600];

    [Theory]
    [InlineData(LoopbackHpc.Machine, true)]
    [InlineData(LoopbackHpc.NoArrays, false)]
    public async Task A_six_member_ensemble_with_a_first_four_join_tells_its_end_once_with_four_completed_and_the_other_two_are_cancelled_in_Slurm(string machine, bool asArray)
    {
        var incident = await SubmitEnsembleAsync(machine, Sleeps, needed: 4);

        var end = SimulationEnd.From(await engine.EndOfTestJobAsync(incident));

        Assert.Equal(SimulationStatus.Completed, end.Status);
        Assert.Equal("4 of 6 members completed (4 needed)", end.Detail);
        Assert.Equal(6, end.Members.Count);
        Assert.Equal([0, 1, 2, 3, 4, 5], end.Members.Select(m => m.Member!.Value));
        Assert.All(end.Members, m => Assert.Equal(end.SimulationId, m.EnsembleId));
        Assert.All(end.Members.Take(4), m => Assert.Equal(SimulationStatus.Completed, m.Status));
        // Running (or, at the latest, still queued) when the join fired: in flight.
        Assert.All(end.Members.Skip(4), m => Assert.Contains(m.Status, new[] { SimulationStatus.Running, SimulationStatus.Queued }));
        var jobIds = end.Members.Select(m => m.JobId!).ToList();
        if (asArray)
            Assert.Equal(Enumerable.Range(0, 6).Select(i => $"{end.JobId}_{i}"), jobIds);
        else
            Assert.Equal(6, jobIds.Distinct().Count(id => id.All(char.IsAsciiDigit)));

        foreach (var member in end.Members.Skip(4))
            await HpcTestJobs.UntilAsync(() => LoopbackHpc.JobStateAsync(member.JobId!), state => state == "CANCELLED", $"Slurm to cancel member {member.Member} ({member.JobId})");
        foreach (var member in end.Members.Take(4))
            Assert.Equal($"member {member.Member}\n", await engine.ReadJobFileAsync(incident, member.ToMessage(), "seen.txt"));
        var simulations = await HpcTestJobs.UntilAsync(() => engine.Client.GetSimulations(incident),
            s => s.Count(m => m.Status == SimulationStatus.Cancelled) == 2, "the engine to record the two members cancelled");
        // Six members and the ensemble; the notify queue heard the ensemble's end only, once.
        Assert.Equal(7, simulations.Count);
        Assert.Single(await engine.Handler(incident, HpcTestQueues.End).GetPersisted());
    }

    [Fact]
    public async Task An_ensemble_end_listing_other_members_states_or_a_member_claiming_another_place_is_dead_lettered_and_a_true_one_passes()
    {
        var incident = await SubmitEnsembleAsync(LoopbackHpc.Machine, [0, 0], needed: 2);
        var told = await engine.EndOfTestJobAsync(incident);
        var end = SimulationEnd.From(told);
        var altered = (JsonObject)told.DeepClone();
        altered["members"]![1]!["status"] = "FAILED";
        altered["members"]![1]!["exitCode"] = 3;
        var misplaced = end.Members[0].ToMessage();
        misplaced["member"] = 1;

        foreach (var message in new[] { altered, misplaced, end.Members[1].ToMessage() })
            await engine.Client.Send(HpcTestQueues.End, message);
        await engine.Client.FlushMessages();

        var letters = await HpcTestJobs.UntilAsync(() => engine.Client.GetDeadLetters(incident), l => l.Count >= 2, "the two altered ends to be dead-lettered");
        var persisted = await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.End).GetPersisted(), p => p.Count >= 2, "the true member's end to be handled");
        Assert.Equal(2, letters.Count);
        Assert.Contains(letters, l => l.Reason.Contains($"lists members of ensemble {end.SimulationId} other than those the engine told"));
        Assert.Contains(letters, l => l.Reason.Contains($"is member 1 of ensemble {end.SimulationId}, which it is not"));
        Assert.Equal(2, persisted.Count);
        Assert.Equal(1, JsonNode.Parse(persisted[1])!["member"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_array_ensemble_whose_input_the_incident_does_not_have_ends_FAILED_with_its_members_cancelled_unsubmitted()
    {
        var incident = await SubmitEnsembleAsync(LoopbackHpc.Machine, [1, 1], needed: 2, inputs: new JsonObject { ["grid.bin"] = "no-such-data" });

        var end = SimulationEnd.From(await engine.EndOfTestJobAsync(incident));

        // Both members are needed: the first one cancelled decides the end; the other is cancelled after it.
        Assert.Equal((SimulationStatus.Failed, null), (end.Status, end.JobId));
        Assert.Equal("0 of 2 members completed (2 needed), 1 ended otherwise; the members needed can no longer complete", end.Detail);
        Assert.All(end.Members, m => Assert.Null(m.JobId));
        Assert.Contains("has no data named \"no-such-data\"", Assert.Single(end.Members, m => m.Status == SimulationStatus.Cancelled).Detail);
        var members = await HpcTestJobs.UntilAsync(() => engine.Client.GetSimulations(incident),
            s => s.Count(m => m.Status == SimulationStatus.Cancelled) == 2, "both members to be cancelled");
        Assert.All(members.Where(m => m.SimulationId != end.SimulationId), m => Assert.Equal((SimulationStatus.Cancelled, null), (m.Status, m.JobId)));
    }

    private async Task<Guid> SubmitEnsembleAsync(string machine, int[] sleeps, int needed, JsonObject? inputs = null)
    {
        LoopbackHpc.Require(engine.Options<OrleansWorkflow.Simulations.Machines.HpcOptions>());
        var incident = await engine.Client.CreateIncident("ensemble test", "TEST");
        await engine.Client.Send(HpcTestQueues.Ensemble, new JsonObject
        {
            ["IncidentID"] = incident.ToString(), ["machine"] = machine, ["sleeps"] = new JsonArray([.. sleeps.Select(s => (JsonNode)s)]), ["needed"] = needed,
            ["inputs"] = inputs,
        });
        await engine.Client.FlushMessages();
        return incident;
    }
}
