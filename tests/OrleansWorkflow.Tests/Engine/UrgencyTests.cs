using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Engine;

/// <summary>Urgency on the real engine: an emergency's message does not wait behind a routine backlog of the same node.</summary>
[Collection(EngineCollection.Name)]
public sealed class UrgencyTests(EngineFixture engine)
{
    private const int Backlog = 100;

    [Fact]
    public async Task An_emergency_incidents_message_overtakes_a_routine_backlog_on_the_same_node_and_the_backlog_still_completes()
    {
        var routine = await engine.Client.CreateIncident("routine backlog", "TEST");
        for (var i = 0; i < Backlog; i++)
            await engine.Client.Send(TestQueues.Record, WorkflowTests.Message(routine, new JsonObject { ["delay_ms"] = 100, ["step"] = i }));
        await engine.Client.FlushMessages();
        await Eventually.UntilAsync(() => Task.FromResult(Probe.RunsOf(routine).Count), n => n > 0, TimeSpan.FromSeconds(30), "the backlog to start");

        var emergency = await engine.Client.CreateIncident("emergency", "TEST", terms: new IncidentTerms { Urgency = IncidentUrgency.Emergency });
        Assert.Equal(IncidentUrgency.Emergency, (await engine.Client.GetIncident(emergency)).Urgency);
        await engine.Client.SendNow(TestQueues.Record, WorkflowTests.Message(emergency, new JsonObject { ["step"] = "urgent", ["send_to"] = TestQueues.OtherRecord }));

        var runs = await Eventually.UntilAsync(() => Task.FromResult(Probe.RunsOf(emergency)), r => r.Count == 2, TimeSpan.FromSeconds(30), "the emergency's two steps");
        var before = Probe.RunsOf(routine).Count(r => r.Start < runs[^1].End);
        // Its second step was sent by a handler: it went to the emergency queue of test_record_other too.
        Assert.InRange(before, 1, Backlog / 2);
        Assert.All(await engine.Client.GetSteps(emergency), s => Assert.Equal(StepOutcome.Completed, s.Outcome));

        await Eventually.UntilAsync(() => Task.FromResult(Probe.RunsOf(routine).Count), n => n == Backlog, TimeSpan.FromSeconds(60), "the whole backlog");
    }
}
