using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class WorkflowTests(EngineFixture engine)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_A_to_B_workflow_completes_its_incident()
    {
        var incident = await engine.Client.CreateIncident("some name", "DUMMY_INCIDENT");
        await engine.Client.Send(ABWorkflow.AQueue, Message(incident));
        await engine.Client.FlushMessages();

        var end = await engine.Client.WaitForEndAsync(incident, Patience);

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var steps = await engine.Client.GetSteps(incident);
        Assert.Equal([ABWorkflow.AQueue, ABWorkflow.BQueue], steps.Select(s => s.Queue));
        Assert.All(steps, s => Assert.Equal(StepOutcome.Completed, s.Outcome));
        Assert.Equal(ABWorkflow.AQueue, steps[1].Originator);
    }

    [Fact]
    public async Task A_fan_in_of_three_branches_fires_the_join_exactly_once()
    {
        var incident = await engine.Client.CreateIncident("fan-in", "TEST");
        foreach (var branch in TestQueues.Branches)
            await engine.Client.Send(branch, Message(incident));
        await engine.Client.FlushMessages();

        var end = await engine.Client.WaitForEndAsync(incident, Patience);

        Assert.Equal(IncidentStatus.Completed, end.Status);
        Assert.Equal(1, Probe.JoinFired[incident]);
        var joins = (await engine.Client.GetSteps(incident)).Where(s => s.Queue == TestQueues.Join).ToList();
        Assert.Equal(3, joins.Count);
        Assert.Equal(TestQueues.Branches.Order(), joins.Select(j => j.Originator!).Order());
    }

    [Fact]
    public async Task Persisted_documents_survive_a_silo_restart_and_each_handler_keeps_its_own()
    {
        var incident = await engine.Client.CreateIncident("restart", "TEST");
        await SendAndWaitAsync(incident, TestQueues.Record, new JsonObject { ["step"] = "first" });
        await SendAndWaitAsync(incident, TestQueues.OtherRecord, new JsonObject { ["step"] = "other" });

        await engine.RestartSiloAsync();
        await SendAndWaitAsync(incident, TestQueues.Record, new JsonObject { ["step"] = "second" });

        Assert.Equal(["first", "second"], await StepsPersistedAsync(incident, TestQueues.Record));
        Assert.Equal(["other"], await StepsPersistedAsync(incident, TestQueues.OtherRecord));
        // One journal entry per handled message, each handler's under its own queue.
        Assert.Equal(3, await engine.Database.HandlerRowsAsync(incident));
    }

    [Fact]
    public async Task One_handler_runs_one_message_of_an_incident_at_a_time_while_incidents_run_in_parallel()
    {
        var first = await engine.Client.CreateIncident("serial-1", "TEST");
        var second = await engine.Client.CreateIncident("serial-2", "TEST");
        foreach (var incident in new[] { first, second })
            for (var i = 0; i < 3; i++)
                await engine.Client.Send(TestQueues.Record, Message(incident, new JsonObject { ["delay_ms"] = 300 }));
        await engine.Client.FlushMessages();

        await Eventually.UntilAsync(async () => Probe.RunsOf(first).Count + Probe.RunsOf(second).Count, n => n == 6, Patience, "six runs");

        foreach (var incident in new[] { first, second })
        {
            var runs = Probe.RunsOf(incident);
            for (var i = 1; i < runs.Count; i++)
                Assert.True(runs[i].Start >= runs[i - 1].End, $"runs of incident {incident} overlapped: {runs[i - 1]} and {runs[i]}");
        }

        var overlapAcrossIncidents = Probe.RunsOf(first).Any(a => Probe.RunsOf(second).Any(b => a.Start < b.End && b.Start < a.End));
        Assert.True(overlapAcrossIncidents, "the two incidents' handler runs never overlapped: incidents are not handled in parallel");
    }

    [Fact]
    public async Task A_throwing_handler_is_retried_its_sends_discarded_then_dead_lettered_and_its_incident_marked_Error()
    {
        var incident = await engine.Client.CreateIncident("poison", "TEST");
        await engine.Client.Send(TestQueues.Fail, Message(incident));
        await engine.Client.FlushMessages();

        var dead = await Eventually.UntilAsync(() => engine.Broker.DrainAsync(WireContract.DeadLetterQueue(TestQueues.Fail)),
            letters => letters.Count > 0, Patience, "the dead letter");

        Assert.Equal(1 + engine.Options<WorkflowOptions>().RetryLimit, Probe.FailedAttempts[incident]);
        var reason = Header(dead.Single(), WireContract.ReasonHeader);
        Assert.Contains("simulated failure in test_fail", reason);
        Assert.Contains($"failed {1 + engine.Options<WorkflowOptions>().RetryLimit} times", reason);
        Assert.Equal(TestQueues.Fail, Header(dead.Single(), WireContract.OriginalQueueHeader));
        Assert.Equal(0u, await engine.Broker.CountAsync(TestQueues.FailSink));
        var info = await engine.Client.GetIncident(incident);
        Assert.Equal(IncidentStatus.Error, info.Status);
        Assert.Contains("simulated failure", info.Reason);
    }

    [Fact]
    public async Task A_handler_running_longer_than_a_second_shows_as_Processing_until_its_step_is_recorded()
    {
        var incident = await engine.Client.CreateIncident("long run", "TEST");
        await engine.Broker.PublishRawAsync(TestQueues.Record, Message(incident, new JsonObject { ["step"] = "slow", ["delay_ms"] = 3000 }).ToJsonString());

        var running = await Eventually.UntilAsync(() => engine.Client.GetSteps(incident), s => s.Any(x => x.Outcome == StepOutcome.Processing), Patience, "the run to show as Processing");
        Assert.Equal(TestQueues.Record, Assert.Single(running).Queue);
        var ended = await Eventually.UntilAsync(() => engine.Client.GetSteps(incident), s => s.All(x => x.Outcome != StepOutcome.Processing), Patience, "the step to be recorded");
        Assert.Equal(StepOutcome.Completed, Assert.Single(ended).Outcome);
    }

    [Fact]
    public async Task An_idle_handler_activation_leaves_memory_after_Workflow_HandlerIdle_and_its_next_message_is_handled_on_its_journal()
    {
        var incident = await engine.Client.CreateIncident("idle handler", "TEST");
        var handler = engine.Handler(incident, TestQueues.Record).GetGrainId();
        var management = engine.Grains.GetGrain<IManagementGrain>(0);
        async Task<bool> ActiveAsync() => (await management.GetDetailedGrainStatistics()).Any(g => g.GrainId == handler);

        await engine.Broker.PublishRawAsync(TestQueues.Record, Message(incident, new JsonObject { ["step"] = "first" }).ToJsonString());
        await Eventually.UntilAsync(ActiveAsync, active => active, Patience, "the handler to be activated");
        // Orleans looks for idle activations at half the idle time: gone within twice of it.
        await Eventually.UntilAsync(ActiveAsync, active => !active, EngineFixture.HandlerIdle * 2 + TimeSpan.FromSeconds(5), "the idle handler to leave memory");

        await engine.Broker.PublishRawAsync(TestQueues.Record, Message(incident, new JsonObject { ["step"] = "second" }).ToJsonString());
        await Eventually.UntilAsync(() => engine.Client.GetSteps(incident), s => s.Count(x => x.Outcome == StepOutcome.Completed) == 2, Patience, "the second message to be handled");
        Assert.Equal(["first", "second"], await StepsPersistedAsync(incident, TestQueues.Record));
        Assert.Equal(2, await engine.Database.HandlerRowsAsync(incident));
    }

    [Fact]
    public async Task A_handler_with_stored_state_its_incident_has_no_step_of_still_skips_a_message_it_already_handled()
    {
        // As after a crash that lost the incident's step record but not the handler's row: the handler skips its
        // read, runs, meets the stored row at write time, and handles the message again on the stored state.
        var incident = await engine.Client.CreateIncident("lost step record", "TEST");
        var messageId = Guid.NewGuid().ToString();
        var stored = new GrainState<HandlerState>(new HandlerState { Documents = ["{\"step\":\"stored\"}"], HandledMessageIds = [messageId] });
        await engine.Storage.WriteStateAsync(WorkflowStorage.HandlerState, engine.Handler(incident, TestQueues.Record).GetGrainId(), stored);

        var body = Message(incident, new JsonObject { ["step"] = "again", [WireContract.MessageIdKey] = messageId }).ToJsonString();
        await engine.Broker.PublishRawAsync(TestQueues.Record, body);
        await Eventually.UntilAsync(() => engine.Broker.ReadyAndUnackedAsync(TestQueues.Record), n => n == 0, Patience, "the message to be acknowledged");
        var steps = await engine.Client.GetSteps(incident);

        // The run's own effects were thrown away at the write; the message counts as handled by the stored attempt,
        // whose step that crash lost: the timeline shows what is stored, and nothing of the run thrown away.
        Assert.Equal(["stored"], await StepsPersistedAsync(incident, TestQueues.Record));
        Assert.Empty(steps);
        Assert.Equal(1, await engine.Database.StateRowsAsync(incident, "handler"));
        Assert.Equal(0, await engine.Database.HandlerRowsAsync(incident) - 1);
        Assert.Equal(0u, await engine.Broker.CountAsync(WireContract.DeadLetterQueue(TestQueues.Record)));
    }

    [Fact]
    public async Task A_copy_of_an_already_handled_message_arriving_after_its_incident_completed_is_dropped_not_dead_lettered()
    {
        var incident = await engine.Client.CreateIncident("late copy", "TEST");
        var body = Message(incident, new JsonObject { ["step"] = "last", ["complete"] = true, [WireContract.MessageIdKey] = Guid.NewGuid().ToString() }).ToJsonString();
        await engine.Broker.PublishRawAsync(TestQueues.Record, body);
        await engine.Client.WaitForEndAsync(incident, Patience);

        await engine.Broker.PublishRawAsync(TestQueues.Record, body); // as redelivered after a crash before its ack
        await Eventually.UntilAsync(() => engine.Broker.ReadyAndUnackedAsync(TestQueues.Record), n => n == 0, Patience, "the copy to be acknowledged");

        Assert.Equal(0u, await engine.Broker.CountAsync(WireContract.DeadLetterQueue(TestQueues.Record)));
        Assert.Single(Probe.RunsOf(incident));
    }

    [Fact]
    public async Task A_late_copy_is_known_by_the_handlers_kept_message_ids_when_the_finished_incident_lost_its_step_record()
    {
        var incident = await engine.Client.CreateIncident("late copy, lost steps", "TEST");
        var messageId = Guid.NewGuid().ToString();
        var kept = new GrainState<HandlerState>(new HandlerState { HandledMessageIds = [messageId] });
        await engine.Storage.WriteStateAsync(WorkflowStorage.HandlerState, engine.Handler(incident, TestQueues.Record).GetGrainId(), kept);
        await engine.Client.Complete(incident);

        await engine.Broker.PublishRawAsync(TestQueues.Record, Message(incident, new JsonObject { [WireContract.MessageIdKey] = messageId }).ToJsonString());
        await Eventually.UntilAsync(() => engine.Broker.ReadyAndUnackedAsync(TestQueues.Record), n => n == 0, Patience, "the copy to be acknowledged");

        Assert.Equal(0u, await engine.Broker.CountAsync(WireContract.DeadLetterQueue(TestQueues.Record)));
        Assert.Empty(Probe.RunsOf(incident));
    }

    [Fact]
    public async Task A_message_redelivered_with_the_same_MessageID_changes_nothing_the_second_time()
    {
        var incident = await engine.Client.CreateIncident("redelivery", "TEST");
        var body = Message(incident, new JsonObject { ["step"] = "once", [WireContract.MessageIdKey] = Guid.NewGuid().ToString() }).ToJsonString();
        await engine.Broker.PublishRawAsync(TestQueues.Record, body);
        await Eventually.UntilAsync(() => StepsPersistedAsync(incident, TestQueues.Record), s => s.Count > 0, Patience, "the first delivery");

        await engine.Broker.PublishRawAsync(TestQueues.Record, body);
        await Eventually.UntilAsync(() => engine.Broker.ReadyAndUnackedAsync(TestQueues.Record), n => n == 0, Patience, "the copy to be acknowledged");

        Assert.Equal(["once"], await StepsPersistedAsync(incident, TestQueues.Record));
        Assert.Single(Probe.RunsOf(incident));
        Assert.Single(await engine.Client.GetSteps(incident));
        Assert.Equal(0u, await engine.Broker.CountAsync(WireContract.DeadLetterQueue(TestQueues.Record)));
    }

    [Fact]
    public async Task A_message_published_by_a_plain_AMQP_client_is_handled_like_any_other()
    {
        var incident = await engine.Client.CreateIncident("plain client", "TEST");
        var body = $"{{\"IncidentID\": \"{incident}\", \"step\": \"from amqp-publish\", \"complete\": true}}";

        await TestServices.RunAsync("amqp-publish", "--url", engine.Broker.Uri, "-r", TestQueues.Record, "-p", "-C", "application/json", "-b", body);

        var end = await engine.Client.WaitForEndAsync(incident, Patience);
        Assert.Equal(IncidentStatus.Completed, end.Status);
        Assert.Single(Probe.RunsOf(incident));
    }

    private async Task SendAndWaitAsync(Guid incident, string queue, JsonObject fields)
    {
        var before = Probe.RunsOf(incident).Count;
        await engine.Client.Send(queue, Message(incident, fields));
        await engine.Client.FlushMessages();
        await Eventually.UntilAsync(async () => Probe.RunsOf(incident).Count, n => n > before, Patience, $"{queue} to run");
        // The run is recorded before the state write returns; wait for the step to be marked done too.
        await Eventually.UntilAsync(() => engine.Client.GetSteps(incident), s => s.All(x => x.Outcome != StepOutcome.Processing), Patience, "the step to end");
    }

    private async Task<List<string>> StepsPersistedAsync(Guid incident, string queue)
    {
        var documents = await engine.Handler(incident, queue).GetPersisted();
        return [.. documents.Select(d => JsonNode.Parse(d)!["step"]!.GetValue<string>())];
    }

    internal static JsonObject Message(Guid incident, JsonObject? fields = null)
    {
        var message = new JsonObject { ["IncidentID"] = incident.ToString() };
        foreach (var (key, value) in fields ?? [])
            message[key] = value?.DeepClone();
        return message;
    }

    internal static string Header(RabbitMQ.Client.BasicGetResult message, string name) =>
        System.Text.Encoding.UTF8.GetString((byte[])message.BasicProperties.Headers![name]!);
}
