using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class IncidentFinishTests(EngineFixture engine)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_completion_whose_write_reported_an_error_is_not_seen_and_its_retry_clears_the_handlers_data()
    {
        var incident = await engine.Client.CreateIncident(EngineFixture.FinishWriteFault, "TEST");
        await engine.Client.Send(TestQueues.Record, WorkflowTests.Message(incident, new JsonObject { ["step"] = "kept until the end" }));
        await engine.Client.FlushMessages();
        await Eventually.UntilAsync(() => engine.Handler(incident, TestQueues.Record).GetPersisted(), p => p.Count == 1, Patience, "the document");

        // The end is stored, but the write reports an error (Faults:FailAfterFinishWriteOf): the caller must retry.
        var error = await Assert.ThrowsAsync<IOException>(() => engine.Client.Complete(incident));
        Assert.Equal($"Fault injection: the write of incident {incident}'s end reports an error after it committed", error.Message);
        Assert.Equal(IncidentStatus.Active, (await engine.Client.GetIncident(incident)).Status);
        Assert.Single(await engine.Handler(incident, TestQueues.Record).GetPersisted());

        await engine.Client.Complete(incident);

        Assert.Equal(IncidentStatus.Completed, (await engine.Client.GetIncident(incident)).Status);
        await Eventually.UntilAsync(() => engine.Handler(incident, TestQueues.Record).GetPersisted(), p => p.Count == 0, Patience, "the handler's data to be cleared");
    }

    [Fact]
    public async Task A_finished_incident_leaves_memory_after_its_idle_time_and_is_read_back_from_storage()
    {
        var incident = await engine.Client.CreateIncident("leaves memory", "TEST");
        await engine.Client.Send(TestQueues.Record, WorkflowTests.Message(incident, new JsonObject { ["step"] = "one" }));
        await engine.Client.FlushMessages();
        await Eventually.UntilAsync(() => engine.Client.GetSteps(incident), s => s.Any(step => step.Outcome == StepOutcome.Completed), Patience, "the step");
        var management = engine.Grains.GetGrain<IManagementGrain>(0);
        var grain = engine.Grains.GetGrain<IIncidentGrain>(incident).GetGrainId();
        async Task<bool> Active() => (await management.GetDetailedGrainStatistics()).Any(s => s.GrainId == grain);

        await engine.Client.Complete(incident);
        Assert.True(await Active());

        await Eventually.UntilAsync(Active, active => !active, EngineFixture.FinishedIncidentIdle + Patience, "the finished incident's activation to go");
        var read = await engine.Client.GetIncident(incident);
        Assert.Equal(IncidentStatus.Completed, read.Status);
        Assert.Contains(await engine.Client.GetSteps(incident), step => step.Queue == TestQueues.Record && step.Outcome == StepOutcome.Completed);
    }
}
