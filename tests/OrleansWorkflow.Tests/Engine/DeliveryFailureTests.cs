using OrleansWorkflow.Hosting;
using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Engine;

/// <summary>Failures inside a delivery that are not the handler's own exception: each ends, none holds its message.</summary>
[Collection(EngineCollection.Name)]
public sealed class DeliveryFailureTests(EngineFixture engine)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_state_write_that_committed_but_reported_an_error_still_sends_its_messages()
    {
        // Faults:FailAfterStateWrite makes each message's write report an error once, after the commit. The retry finds
        // the message already stored: its stored outbox must still go out, for the first message and every later one.
        var incident = await engine.Client.CreateIncident("flaky write", "TEST");
        foreach (var step in new[] { "one", "two", "three" })
            await engine.Client.Send(TestQueues.FlakyWrite, WorkflowTests.Message(incident, new JsonObject { ["step"] = step, ["send_to"] = TestQueues.Record }));
        await engine.Client.FlushMessages();

        var steps = await Eventually.UntilAsync(() => engine.Client.GetSteps(incident),
            s => s.Count(x => x.Queue == TestQueues.Record && x.Outcome == StepOutcome.Completed) == 3, Patience, "three messages relayed to test_record");

        Assert.Equal(3, steps.Count(s => s.Queue == TestQueues.FlakyWrite && s.Outcome == StepOutcome.Completed));
        // Deliveries of one queue are handled concurrently, so the order of the three is not fixed; each is kept once.
        var documents = (await engine.Handler(incident, TestQueues.FlakyWrite).GetPersisted()).Select(d => JsonNode.Parse(d)!["step"]!.GetValue<string>());
        Assert.Equal(["one", "three", "two"], documents.Order());
        Assert.Equal(3, Probe.RunsOf(incident).Count(r => r.Queue == TestQueues.FlakyWrite));
    }

    [Fact]
    public async Task A_hung_handler_is_stopped_at_the_handler_timeout_retried_then_dead_lettered()
    {
        var incident = await engine.Client.CreateIncident("hung handler", "TEST");
        var marker = Guid.NewGuid().ToString();
        await engine.Broker.PublishRawAsync(TestQueues.Record,
            WorkflowTests.Message(incident, new JsonObject { ["delay_ms"] = 600_000, ["send_to"] = TestQueues.OtherRecord }).ToJsonString(), marker);

        var letter = await engine.Broker.DeadLetterAsync(TestQueues.Record, marker, EngineFixture.HandlerTimeout * 4 + Patience);

        var reason = WorkflowTests.Header(letter, WireContract.ReasonHeader);
        Assert.Contains($"failed {1 + engine.Options<WorkflowOptions>().RetryLimit} times", reason);
        Assert.Contains("longer than Workflow:HandlerTimeout", reason);
        var info = await engine.Client.GetIncident(incident);
        Assert.Equal(IncidentStatus.Error, info.Status);
        Assert.DoesNotContain(await engine.Client.GetSteps(incident), s => s.Queue == TestQueues.OtherRecord);
    }

    [Theory]
    [InlineData("amq.fire", "which RabbitMQ reserves for itself")]
    [InlineData("test_record_other", "over the limit of")]
    public async Task A_send_the_broker_or_the_receiver_would_refuse_fails_the_handler_and_is_dead_lettered(string sendTo, string reason)
    {
        var incident = await engine.Client.CreateIncident("refused send", "TEST");
        var marker = Guid.NewGuid().ToString();
        var padding = sendTo == TestQueues.OtherRecord ? engine.Options<WorkflowOptions>().MaxBodyBytes : 0;
        await engine.Broker.PublishRawAsync(TestQueues.Record,
            WorkflowTests.Message(incident, new JsonObject { ["send_to"] = sendTo, ["pad_bytes"] = padding }).ToJsonString(), marker);

        var letter = await engine.Broker.DeadLetterAsync(TestQueues.Record, marker, Patience);

        Assert.Contains(reason, WorkflowTests.Header(letter, WireContract.ReasonHeader));
        Assert.Equal(IncidentStatus.Error, (await engine.Client.GetIncident(incident)).Status);
        Assert.DoesNotContain(await engine.Client.GetSteps(incident), s => s.Queue == TestQueues.OtherRecord);
    }
}
