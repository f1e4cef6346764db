using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Time;

namespace OrleansWorkflow.Tests.Engine;

/// <summary>SendAfter, SendAt and deadlines, on the real engine: kept by the incident's timers, sent once, dropped when the incident finishes.</summary>
[Collection(EngineCollection.Name)]
public sealed class TimeTests(EngineFixture engine)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_message_sent_after_two_seconds_arrives_once_no_sooner()
    {
        var incident = await engine.Client.CreateIncident("send after", "TEST");
        var sent = DateTime.UtcNow;
        await engine.Client.SendNow(TestQueues.SendLater, WorkflowTests.Message(incident, new JsonObject { ["after_ms"] = 2_000, ["step"] = "later" }));

        var run = await Eventually.UntilAsync(() => Task.FromResult(RecordRuns(incident)), r => r.Count > 0, Patience, "the later message");
        // No sooner than asked; how late it may be is the bench's business, not a test's.
        Assert.True((run[0].Start - sent).TotalSeconds >= 2, $"the later message ran {(run[0].Start - sent).TotalSeconds:0.00} s after it was sent, before its 2 s");
        Assert.Equal("later", JsonNode.Parse(run[0].Body)!["step"]!.GetValue<string>());
        Assert.Equal(TestQueues.SendLater, JsonNode.Parse(run[0].Body)!["originator"]!.GetValue<string>());
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(RecordRuns(incident));
        Assert.Empty(await Timers(incident).GetPending());
    }

    [Fact]
    public async Task SendAt_a_time_already_past_sends_at_once()
    {
        var incident = await engine.Client.CreateIncident("send at", "TEST");
        await engine.Client.SendNow(TestQueues.SendLater, WorkflowTests.Message(incident, new JsonObject { ["at"] = DateTimeOffset.UtcNow.AddHours(-1), ["step"] = "past" }));
        var run = await Eventually.UntilAsync(() => Task.FromResult(RecordRuns(incident)), r => r.Count > 0, Patience, "the message sent at a past time");
        Assert.Equal("past", JsonNode.Parse(run[0].Body)!["step"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_handler_that_fails_after_SendAfter_schedules_nothing()
    {
        var incident = await engine.Client.CreateIncident("send after then fail", "TEST");
        await engine.Client.SendNow(TestQueues.SendLater, WorkflowTests.Message(incident, new JsonObject { ["after_ms"] = 500, ["step"] = "never", ["fail"] = true }));
        await Eventually.UntilAsync(() => engine.Client.GetDeadLetters(incident), d => d.Count == 1, Patience, "the failing message to be dead-lettered");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(RecordRuns(incident));
        Assert.Empty(await Timers(incident).GetPending());
    }

    [Fact]
    public async Task A_send_for_later_is_dropped_when_its_incident_finishes_first()
    {
        var incident = await engine.Client.CreateIncident("finished before due", "TEST");
        await engine.Client.SendNow(TestQueues.SendLater, WorkflowTests.Message(incident, new JsonObject { ["after_ms"] = 4_000, ["step"] = "too late" }));
        await Eventually.UntilAsync(() => Timers(incident).GetPending(), p => p.Count == 1, Patience, "the send to be scheduled");

        await engine.Client.Complete(incident);
        await Eventually.UntilAsync(() => Timers(incident).GetPending(), p => p.Count == 0, Patience, "the timers to be stopped");
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Empty(RecordRuns(incident));
        Assert.Empty(await engine.Client.GetDeadLetters(incident));
    }

    [Fact]
    public async Task An_incident_past_its_deadline_is_overdue_and_its_deadline_queue_hears_of_it_once()
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(2);
        var incident = await engine.Client.CreateIncident("deadline", TestQueues.DeadlineKind, terms: new IncidentTerms { Deadline = deadline });
        Assert.False((await engine.Client.GetIncident(incident)).Overdue);

        var run = await Eventually.UntilAsync(() => Task.FromResult(RecordRuns(incident)), r => r.Count > 0, Patience, "the deadline message");
        var body = JsonNode.Parse(run[0].Body)!;
        Assert.Equal(TimersOriginator, body["originator"]!.GetValue<string>());
        Assert.Equal(deadline, DateTimeOffset.Parse(body["deadline"]!.GetValue<string>()));
        Assert.True(run[0].Start >= deadline.UtcDateTime);
        var info = await engine.Client.GetIncident(incident);
        Assert.True(info.Overdue);
        Assert.Equal(deadline, info.Deadline);

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(RecordRuns(incident));
    }

    [Fact]
    public async Task An_incident_finished_before_its_deadline_is_never_overdue()
    {
        var incident = await engine.Client.CreateIncident("done in time", TestQueues.DeadlineKind, terms: new IncidentTerms { Deadline = DateTimeOffset.UtcNow.AddSeconds(2) });
        await engine.Client.Complete(incident);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.False((await engine.Client.GetIncident(incident)).Overdue);
        Assert.Empty(RecordRuns(incident));
    }

    [Fact]
    public async Task Purging_a_finished_incident_deletes_its_timers_record()
    {
        var incident = await engine.Client.CreateIncident("purged with timers", TestQueues.DeadlineKind, terms: new IncidentTerms { Deadline = DateTimeOffset.UtcNow.AddHours(1) });
        await engine.Client.Complete(incident);
        var timers = Timers(incident).GetGrainId();
        await Eventually.UntilAsync(() => StoredTimersAsync(timers), t => t is { RecordExists: true, State.Stopped: true }, Patience, "the timers to be stopped");

        Assert.True(await engine.Services.GetRequiredService<IncidentPurge>().PurgeAsync(incident));

        Assert.False((await StoredTimersAsync(timers)).RecordExists);
    }

    private async Task<Orleans.GrainState<IncidentTimersState>> StoredTimersAsync(Orleans.Runtime.GrainId timers)
    {
        var stored = new Orleans.GrainState<IncidentTimersState>(new IncidentTimersState());
        await engine.Storage.ReadStateAsync(OrleansWorkflow.Hosting.WorkflowStorage.IncidentTimersState, timers, stored);
        return stored;
    }

    private const string TimersOriginator = IncidentTimersGrain.DeadlineOriginator;

    private IIncidentTimersGrain Timers(Guid incident) => engine.Grains.GetGrain<IIncidentTimersGrain>(incident);

    private static List<Probe.Run> RecordRuns(Guid incident) => [.. Probe.RunsOf(incident).Where(r => r.Queue == TestQueues.Record)];
}
