using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Telemetry;

/// <summary>The engine's metrics, read by a listener as an OpenTelemetry SDK would read them.</summary>
[Collection(EngineCollection.Name)]
public sealed class MetricsTests(EngineFixture engine)
{
    [Fact]
    public async Task Handled_messages_are_counted_and_timed_by_queue_and_outcome()
    {
        var counted = new ConcurrentBag<(string Instrument, string? Queue, string? Outcome, double Value)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == WorkflowMetrics.Meter)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => counted.Add((instrument.Name, Tag(tags, WorkflowMetrics.QueueTag), Tag(tags, WorkflowMetrics.OutcomeTag), value)));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => counted.Add((instrument.Name, Tag(tags, WorkflowMetrics.QueueTag), Tag(tags, WorkflowMetrics.OutcomeTag), value)));
        listener.Start();

        var incident = await Examples.StartABAsync(engine.Client);
        Assert.Equal(IncidentStatus.Completed, (await engine.Client.WaitForEndAsync(incident, TimeSpan.FromSeconds(30))).Status);

        foreach (var queue in new[] { ABWorkflow.AQueue, ABWorkflow.BQueue })
        {
            Assert.Contains(counted, m => m.Instrument == "owf.messages.handled" && m.Queue == queue && m.Outcome == "handled" && m.Value == 1);
            Assert.Contains(counted, m => m.Instrument == "owf.handler.duration" && m.Queue == queue && m.Value is > 0 and < 60); // seconds
        }
        Assert.Contains(counted, m => m.Instrument == "owf.outbox.lag" && m.Queue == ABWorkflow.AQueue && m.Value >= 0);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
            if (tag.Key == name)
                return tag.Value as string;
        return null;
    }
}
