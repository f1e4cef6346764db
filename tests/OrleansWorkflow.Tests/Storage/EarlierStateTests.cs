using System.Text.Json.Nodes;
using Orleans.Runtime;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Engine;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Storage;

/// <summary>
/// Before the journals (owf_incident_step, owf_handler_step), an incident's steps and dead letters and a handler's
/// documents and handled message ids lived in their grains' state rows, rewritten whole. An incident such a version
/// left running goes on under this one with all of it.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class EarlierStateTests(EngineFixture engine)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_incident_whose_steps_and_documents_an_earlier_version_stored_in_its_state_rows_goes_on_with_them()
    {
        var incident = Guid.NewGuid();
        var handledEarlier = Guid.NewGuid().ToString();
        var startedAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        await WriteEarlierAsync(engine.Grains.GetGrain<IIncidentGrain>(incident).GetGrainId(), WorkflowStorage.IncidentState, new IncidentState
        {
            Name = "left running by an earlier version", Kind = "TEST", Status = IncidentStatus.Active,
            IncidentDate = startedAt, CreatedAt = startedAt, UpdatedAt = startedAt,
            Steps = [new IncidentStep
            {
                Queue = TestQueues.Record, MessageId = handledEarlier, Originator = "client", StartedAt = startedAt,
                EndedAt = startedAt.AddSeconds(1), Outcome = StepOutcome.Completed,
            }],
            DeadLetters = [new DeadLetterRecord(TestQueues.BadInput, "earlier-letter", "recorded by an earlier version", startedAt)],
        });
        await WriteEarlierAsync(engine.Handler(incident, TestQueues.Record).GetGrainId(), WorkflowStorage.HandlerState,
            new HandlerState { Documents = ["{\"step\":\"earlier\"}"], HandledMessageIds = [handledEarlier] });

        // A copy of the message the earlier version handled is known as handled; a new one is handled on top.
        await engine.Broker.PublishRawAsync(TestQueues.Record,
            WorkflowTests.Message(incident, new JsonObject { ["step"] = "copy", [WireContract.MessageIdKey] = handledEarlier }).ToJsonString());
        await engine.Broker.PublishRawAsync(TestQueues.Record,
            WorkflowTests.Message(incident, new JsonObject { ["step"] = "now", ["complete"] = true }).ToJsonString());
        var end = await engine.Client.WaitForEndAsync(incident, Patience);

        Assert.Equal(IncidentStatus.Completed, end.Status);
        Assert.Equal("left running by an earlier version", end.Name);
        var steps = await engine.Client.GetSteps(incident);
        Assert.Equal([handledEarlier], steps.Take(1).Select(s => s.MessageId));
        Assert.Equal(2, steps.Count);
        Assert.All(steps, s => Assert.Equal(StepOutcome.Completed, s.Outcome));
        Assert.Equal("earlier-letter", Assert.Single(await engine.Client.GetDeadLetters(incident)).MessageId);
        Assert.Single(Probe.RunsOf(incident));
        Assert.Contains((await engine.Client.GetGraph(incident)).Nodes, n => n.Id == TestQueues.Record);
    }

    [Fact]
    public async Task Persist_Get_returns_the_documents_an_earlier_version_stored_first_then_the_new_ones_in_order()
    {
        var incident = await engine.Client.CreateIncident("documents of an earlier version", "TEST");
        await WriteEarlierAsync(engine.Handler(incident, TestQueues.Record).GetGrainId(), WorkflowStorage.HandlerState,
            new HandlerState { Documents = ["{\"step\":\"earlier 1\"}", "{\"step\":\"earlier 2\"}"], HandledMessageIds = [Guid.NewGuid().ToString()] });

        // One at a time: messages of one queue may reach the handler in any order when the consumer runs several at once.
        IReadOnlyList<string> documents = [];
        foreach (var (step, count) in new[] { ("now 1", 3), ("now 2", 4) })
        {
            await engine.Client.Send(TestQueues.Record, WorkflowTests.Message(incident, new JsonObject { ["step"] = step }));
            await engine.Client.FlushMessages();
            documents = await Eventually.UntilAsync(() => engine.Handler(incident, TestQueues.Record).GetPersisted(), d => d.Count >= count, Patience, $"{step} to be handled");
        }

        Assert.Equal(["earlier 1", "earlier 2", "now 1", "now 2"], documents.Select(d => JsonNode.Parse(d)!["step"]!.GetValue<string>()));
    }

    /// <summary>
    /// A fire incident created by a release before workflow versions (its state row has none) is of version 1, whose
    /// join counts the inputs context.Join took as well as those kept as Persist documents: its simulation runs once.
    /// </summary>
    [Fact]
    public async Task A_fire_incident_created_before_workflow_versions_is_of_version_1_and_completes_once_on_its_join()
    {
        var incident = Guid.NewGuid();
        var createdAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        await WriteEarlierAsync(engine.Grains.GetGrain<IIncidentGrain>(incident).GetGrainId(), WorkflowStorage.IncidentState, new IncidentState
        {
            Name = "created before versions", Kind = FireWorkflow.Kind, Status = IncidentStatus.Pending,
            IncidentDate = createdAt, CreatedAt = createdAt, UpdatedAt = createdAt,
        });
        Assert.Equal(1, (await engine.Client.GetIncident(incident)).WorkflowVersion);

        foreach (var queue in FireWorkflow.Entry)
            await engine.Client.Send(queue, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString(), ["data"] = "some data" });
        await engine.Client.FlushMessages();
        var end = await engine.Client.WaitForEndAsync(incident, Patience);

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var steps = await engine.Client.GetSteps(incident);
        Assert.Equal([[], [], [FireWorkflow.FireResults]], steps.Where(s => s.Queue == FireWorkflow.FireSimulation).Select(s => s.SentTo));
        Assert.Single(steps, s => s.Queue == FireWorkflow.FireResults);
    }

    private Task WriteEarlierAsync<T>(GrainId grain, string stateName, T state) =>
        engine.Storage.WriteStateAsync(stateName, grain, new GrainState<T>(state));
}
