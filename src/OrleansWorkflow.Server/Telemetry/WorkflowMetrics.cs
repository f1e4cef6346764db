using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansWorkflow.Messaging.Telemetry;

namespace OrleansWorkflow.Telemetry;

/// <summary>The engine's metrics (meter "OrleansWorkflow"), exported with OTLP when Telemetry:OtlpEndpoint is set.</summary>
internal static class WorkflowMetrics
{
    public const string QueueTag = "owf.queue";
    public const string OutcomeTag = "owf.outcome";
    public const string MachineTag = "owf.machine";

    public static readonly Meter Meter = new(WorkflowTracing.SourceName);

    public static readonly Counter<long> MessagesHandled = Meter.CreateCounter<long>("owf.messages.handled", "{message}",
        "Messages taken from workflow queues, by queue and outcome (handled, duplicate, dead-lettered)");

    public static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram<double>("owf.handler.duration", "ms",
        "From a delivery to its acknowledgement, retries included, by queue");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("owf.handler.retries", "{retry}",
        "Handler runs that failed and were tried again, by queue");

    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("owf.messages.dead_lettered", "{message}",
        "Messages moved to a dead-letter queue, by queue");

    public static readonly Histogram<double> OutboxLag = Meter.CreateHistogram<double>("owf.outbox.lag", "ms",
        "From a handler's state write to its effects carried out (messages confirmed by the broker), by queue");

    private static readonly ConcurrentDictionary<string, int> RunningByMachine = new();

    static WorkflowMetrics() =>
        Meter.CreateObservableGauge("owf.simulations.running",
            () => RunningByMachine.Select(m => new Measurement<int>(m.Value, new KeyValuePair<string, object?>(MachineTag, m.Key))),
            "{simulation}", "Simulations submitted or waiting to be, not ended, by machine (as its last poll saw them)");

    public static void SimulationsRunning(string machine, int count) => RunningByMachine[machine] = count;

    public static KeyValuePair<string, object?> Queue(string queue) => new(QueueTag, queue);
}
