using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Engine;

/// <summary>context.Join over the three test branches: it fires once, on enough inputs or on its timeout.</summary>
[Collection(EngineCollection.Name)]
public sealed class JoinTests(EngineFixture engine)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_join_of_three_fires_once_on_the_third_input_and_not_again()
    {
        var incident = await engine.Client.CreateIncident("join of three", "TEST");
        foreach (var branch in TestQueues.Branches)
            await SendToBranchAsync(incident, branch, new JsonObject());
        await Eventually.UntilAsync(() => Task.FromResult(Firings(incident)), f => f.Count == 1, Patience, "the join to fire");

        // A repeated input after the join fired changes nothing.
        await SendToBranchAsync(incident, TestQueues.Branches[0], new JsonObject());
        await Eventually.UntilAsync(() => Task.FromResult(Runs(incident)), r => r == 4, Patience, "the fourth input to be handled");

        var firing = Assert.Single(Firings(incident));
        Assert.False(firing.TimedOut);
        Assert.Equal(TestQueues.Branches, firing.Arrived);
        var join = Assert.Single(await engine.Client.GetJoins(incident));
        Assert.Equal((TestQueues.EngineJoin, "branches", false), (join.Queue, join.Name, join.Waiting));
        Assert.Empty(join.Missing);
    }

    [Fact]
    public async Task A_two_of_three_join_with_a_timeout_fires_once_with_the_two_that_arrived()
    {
        var incident = await engine.Client.CreateIncident("two of three", "TEST");
        var fields = new JsonObject { ["needed"] = 2, ["timeout_ms"] = 60_000 };
        await SendToBranchAsync(incident, TestQueues.Branches[0], fields);
        await Eventually.UntilAsync(() => engine.Client.GetJoins(incident), j => j.Count == 1, Patience, "the join to open");
        var waiting = Assert.Single(await engine.Client.GetJoins(incident));
        Assert.True(waiting.Waiting);
        Assert.Equal(TestQueues.Branches[1..], waiting.Missing);

        await SendToBranchAsync(incident, TestQueues.Branches[1], fields);
        await Eventually.UntilAsync(() => Task.FromResult(Firings(incident)), f => f.Count == 1, Patience, "the join to fire");
        await SendToBranchAsync(incident, TestQueues.Branches[2], fields);
        await Eventually.UntilAsync(() => Task.FromResult(Runs(incident)), r => r == 3, Patience, "the third input to be handled");

        var firing = Assert.Single(Firings(incident));
        Assert.Equal(TestQueues.Branches[..2], firing.Arrived);
        Assert.False(firing.TimedOut);
        // Firing took its timeout back: nothing waits in the incident's timers.
        Assert.Empty(await engine.Grains.GetGrain<Time.IIncidentTimersGrain>(incident).GetPending());
    }

    [Fact]
    public async Task A_join_whose_timeout_passes_fires_once_with_what_arrived_and_not_on_a_later_input()
    {
        var incident = await engine.Client.CreateIncident("join timeout", "TEST");
        var fields = new JsonObject { ["timeout_ms"] = 3_000 };
        var sent = DateTime.UtcNow;
        await SendToBranchAsync(incident, TestQueues.Branches[2], fields);
        await Eventually.UntilAsync(() => Task.FromResult(Firings(incident)), f => f.Count == 1, Patience, "the join to time out");

        var firing = Assert.Single(Firings(incident));
        Assert.True(firing.TimedOut);
        Assert.Equal([TestQueues.Branches[2]], firing.Arrived);
        Assert.True((firing.At - sent).TotalSeconds >= 3, $"the join timed out {(firing.At - sent).TotalSeconds:0.00} s after the last branch was sent, before its 3 s");

        await SendToBranchAsync(incident, TestQueues.Branches[0], fields);
        await SendToBranchAsync(incident, TestQueues.Branches[1], fields);
        await Eventually.UntilAsync(() => Task.FromResult(Runs(incident)), r => r == 4, Patience, "the later inputs to be handled"); // 3 inputs + the timeout
        Assert.Single(Firings(incident));
        var join = Assert.Single(await engine.Client.GetJoins(incident));
        Assert.True(join.TimedOut);
        Assert.Equal([TestQueues.Branches[2]], join.Arrived);
    }

    private List<Probe.Firing> Firings(Guid incident) => [.. Probe.JoinFirings.Where(f => f.IncidentId == incident)];

    private int Runs(Guid incident) => Probe.RunsOf(incident).Count(r => r.Queue == TestQueues.EngineJoin);

    private async Task SendToBranchAsync(Guid incident, string branch, JsonObject fields)
    {
        var message = WorkflowTests.Message(incident, fields);
        message["join_queue"] = TestQueues.EngineJoin;
        await engine.Client.SendNow(branch, message);
        // One at a time: the join records inputs in the order they are handled.
        await Eventually.UntilAsync(() => engine.Client.GetSteps(incident),
            steps => steps.Count(s => s.Queue == branch && s.Outcome == StepOutcome.Completed) > 0
                     && steps.Where(s => s.Queue == TestQueues.EngineJoin).All(s => s.Outcome == StepOutcome.Completed)
                     && steps.Count(s => s.Queue == TestQueues.EngineJoin) >= steps.Count(s => TestQueues.Branches.Contains(s.Queue)),
            Patience, $"{branch} to pass its input on");
    }
}
