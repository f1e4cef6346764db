using System.Diagnostics;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging.Telemetry;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Telemetry;

/// <summary>The traces of the engine, caught by a listener as an OpenTelemetry SDK would subscribe to them.</summary>
[Collection(EngineCollection.Name)]
public sealed class TracingTests(EngineFixture engine)
{
    [Fact]
    public async Task One_trace_id_spans_the_handlers_of_one_incident_across_queue_hops()
    {
        using var traces = new TraceRecorder();
        var incident = await Examples.StartFireAsync(engine.Client);
        var end = await engine.Client.WaitForEndAsync(incident, TimeSpan.FromSeconds(60));
        Assert.Equal(IncidentStatus.Completed, end.Status);

        // The last handler completes the incident before its own span ends: wait for that span too.
        await Eventually.UntilAsync(() => Task.FromResult(Handled(traces.Of(incident)).Count), count => count >= 9, TimeSpan.FromSeconds(60), "the nine process spans");
        var mine = traces.Of(incident);
        var handled = Handled(mine);
        Assert.Equal(9, handled.Count); // every step of the local fire workflow
        Assert.All(mine, a => Assert.Equal(incident.ToString("N"), a.TraceId.ToHexString()));

        // The hop weather_data -> weather_simulation: the second handler descends, through the AMQP headers, from the first.
        var ancestry = Ancestry(Handler(handled, FireWorkflow.WeatherSimulation), mine);
        Assert.Equal(
            [$"receive {FireWorkflow.WeatherSimulation}", $"publish {FireWorkflow.WeatherSimulation}", $"process {FireWorkflow.WeatherData}",
             $"receive {FireWorkflow.WeatherData}", $"publish {FireWorkflow.WeatherData}"],
            ancestry);
        // And across the join: fire_results descends from fire_simulation, which descends from weather_results.
        var results = Ancestry(Handler(handled, FireWorkflow.FireResults), mine);
        Assert.Contains($"process {FireWorkflow.FireSimulation}", results);
        Assert.Contains($"process {FireWorkflow.WeatherResults}", results);
    }

    [Fact]
    public async Task Spans_carry_the_OpenTelemetry_messaging_attributes()
    {
        using var traces = new TraceRecorder();
        var incident = await Examples.StartFireAsync(engine.Client);
        await engine.Client.WaitForEndAsync(incident, TimeSpan.FromSeconds(60));

        var mine = traces.Of(incident);
        foreach (var (operation, type, kind) in new[] { ("publish", "send", ActivityKind.Producer), ("receive", "receive", ActivityKind.Consumer), ("process", "process", ActivityKind.Consumer) })
        {
            var span = mine.First(a => a.OperationName == $"{operation} {FireWorkflow.WeatherSimulation}");
            Assert.Equal(kind, span.Kind);
            Assert.Equal("rabbitmq", span.GetTagItem("messaging.system"));
            Assert.Equal(type, span.GetTagItem("messaging.operation.type"));
            Assert.Equal(FireWorkflow.WeatherSimulation, span.GetTagItem("messaging.destination.name"));
            Assert.Equal(FireWorkflow.WeatherSimulation, span.GetTagItem("messaging.rabbitmq.destination.routing_key"));
            Assert.NotNull(span.GetTagItem("messaging.message.id"));
        }
    }

    private static List<Activity> Handled(IEnumerable<Activity> spans) => [.. spans.Where(a => a.OperationName.StartsWith("process ", StringComparison.Ordinal))];

    private static Activity Handler(List<Activity> handled, string queue) => handled.Single(a => a.OperationName == $"process {queue}");

    /// <summary>The names of an activity's ancestors among <paramref name="activities"/>, nearest first.</summary>
    private static List<string> Ancestry(Activity activity, List<Activity> activities)
    {
        var bySpan = activities.GroupBy(a => a.SpanId).ToDictionary(g => g.Key, g => g.First());
        var names = new List<string>();
        while (bySpan.TryGetValue(activity.ParentSpanId, out var parent))
        {
            names.Add(parent.OperationName);
            activity = parent;
        }
        return names;
    }

}
