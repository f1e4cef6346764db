using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansWorkflow.Messaging.Telemetry;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>Records the engine's ended activities, as an OpenTelemetry SDK subscribed to them would receive them.</summary>
public sealed class TraceRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _ended = new();
    private readonly ActivityListener _listener;

    public TraceRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WorkflowTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ended.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The ended activities of one incident (other tests' incidents run beside it).</summary>
    public List<Activity> Of(Guid incident) => [.. _ended.Where(a => a.GetTagItem(WorkflowTracing.IncidentTag) as string == incident.ToString())];

    public void Dispose() => _listener.Dispose();
}
