using System.Text.Json.Nodes;
using Xunit;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Testing;
using OwfWorkflow.Handlers;

namespace OwfWorkflow.Tests;

/// <summary>The workflow's handlers on an engine in this process: no broker, database or machine needed.</summary>
public sealed class WorkflowTests : IAsyncLifetime
{
    private WorkflowTestEnvironment _engine = null!;

    public async Task InitializeAsync() => _engine = await WorkflowTestEnvironment.StartAsync(workflow => workflow.AddHandlersFrom(typeof(Workflow).Assembly));

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_report_is_assessed_and_the_incident_completes()
    {
        var incident = await _engine.Client.CreateIncident("test incident", Workflow.Kind);
        await _engine.SendAsync(incident, Workflow.Report, new JsonObject { ["data"] = "water at 2.1 m" });

        var delivered = await _engine.RunUntilQuietAsync();

        Assert.Equal(2, delivered);
        Assert.Equal(IncidentStatus.Completed, (await _engine.Client.GetIncident(incident)).Status);
        Assert.Equal([Workflow.Report, Workflow.Assessment], (await _engine.Client.GetSteps(incident)).Select(s => s.Queue));
    }

    [Fact]
    public async Task The_report_handler_keeps_each_report_and_sends_the_count_to_assessment()
    {
        var incident = await _engine.Client.CreateIncident("test incident", Workflow.Kind);

        await _engine.HandleAsync(incident, Workflow.Report, new JsonObject { ["data"] = "first" });
        var second = await _engine.HandleAsync(incident, Workflow.Report, new JsonObject { ["data"] = "second" });

        Assert.Equal("second", second.Persisted.Single()["data"]!.GetValue<string>());
        var sent = Assert.Single(second.Sent);
        Assert.Equal((Workflow.Assessment, 2), (sent.Queue, sent.Body["reports"]!.GetValue<int>()));
        Assert.False(second.Completed);
    }
}
