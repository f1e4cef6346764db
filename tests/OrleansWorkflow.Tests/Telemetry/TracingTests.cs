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

        var mine = traces.Of(incident);
        var handled = mine.Where(a => a.OperationName.StartsWith("handle ", StringComparison.Ordinal)).ToList();
        Assert.Equal(9, handled.Count); // every step of the local fire workflow
        Assert.All(mine, a => Assert.Equal(incident.ToString("N"), a.TraceId.ToHexString()));

        // The hop weather_data -> weather_simulation: the second handler descends, through the AMQP headers, from the first.
        var ancestry = Ancestry(Handler(handled, FireWorkflow.WeatherSimulation), mine);
        Assert.Equal(
            [$"receive {FireWorkflow.WeatherSimulation}", $"publish {FireWorkflow.WeatherSimulation}", $"handle {FireWorkflow.WeatherData}",
             $"receive {FireWorkflow.WeatherData}", $"publish {FireWorkflow.WeatherData}"],
            ancestry);
        // And across the join: fire_results descends from fire_simulation, which descends from weather_results.
        var results = Ancestry(Handler(handled, FireWorkflow.FireResults), mine);
        Assert.Contains($"handle {FireWorkflow.FireSimulation}", results);
        Assert.Contains($"handle {FireWorkflow.WeatherResults}", results);
    }

    private static Activity Handler(List<Activity> handled, string queue) => handled.Single(a => a.OperationName == $"handle {queue}");

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
