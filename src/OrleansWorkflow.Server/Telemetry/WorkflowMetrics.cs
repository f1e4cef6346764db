using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansWorkflow.Messaging.Telemetry;

namespace OrleansWorkflow.Telemetry;

/// <summary>The engine's metrics (meter "OrleansWorkflow"), exported with OTLP when Telemetry:OtlpEndpoint is set.</summary>
internal static class WorkflowMetrics
{
    // The queue is named as OpenTelemetry's messaging conventions name a destination; durations are in seconds.
    public const string QueueTag = WorkflowTracing.QueueTag;
    public const string OutcomeTag = "owf.outcome";
    public const string MachineTag = "owf.machine";

    public static readonly Meter Meter = new(WorkflowTracing.SourceName);

    public static readonly Counter<long> MessagesHandled = Meter.CreateCounter<long>("owf.messages.handled", "{message}",
        "Messages taken from workflow queues, by queue and outcome (handled, duplicate, dead-lettered)");

    public static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram<double>("owf.handler.duration", "s",
        "From a delivery to its acknowledgement, retries included, by queue");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("owf.handler.retries", "{retry}",
        "Handler runs that failed and were tried again, by queue");

    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("owf.messages.dead_lettered", "{message}",
        "Messages moved to a dead-letter queue, by queue");

    public static readonly Counter<long> IncidentsOverdue = Meter.CreateCounter<long>("owf.incidents.overdue", "{incident}",
        "Incidents whose deadline passed while they were unfinished.");

    public static readonly Histogram<double> OutboxLag = Meter.CreateHistogram<double>("owf.outbox.lag", "s",
        "From a handler's state write to its effects carried out (messages confirmed by the broker), by queue");

    private static readonly ConcurrentDictionary<string, int> RunningByMachine = new();

    static WorkflowMetrics() =>
        Meter.CreateObservableGauge("owf.simulations.running",
            () => RunningByMachine.Select(m => new Measurement<int>(m.Value, new KeyValuePair<string, object?>(MachineTag, m.Key))),
            "{simulation}", "Simulations submitted or waiting to be, not ended, by machine (as its last poll saw them)");

    public static void SimulationsRunning(string machine, int count) => RunningByMachine[machine] = count;

    /// <summary>The tags of a measurement about <paramref name="queue"/>.</summary>
    public static TagList Queue(string queue, string? outcome = null)
    {
        var tags = new TagList { { WorkflowTracing.SystemTag, WorkflowTracing.RabbitMq }, { QueueTag, queue } };
        if (outcome is not null)
            tags.Add(OutcomeTag, outcome);
        return tags;
    }
}
