using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansWorkflow.Messaging.Telemetry;

namespace OrleansWorkflow.Hosting;

/// <summary>Adds the engine's telemetry to an <see cref="IWorkflowBuilder"/>.</summary>
public static class TelemetryExtensions
{
    /// <summary>
    /// OTLP export of the engine's traces (an incident's trace id is its IncidentID) and metrics, when a collector is
    /// configured (section "Telemetry", or OTEL_EXPORTER_OTLP_ENDPOINT). Without one nothing is collected, and the
    /// engine's instrumentation costs nothing.
    /// </summary>
    /// <param name="workflow">The engine being built.</param>
    /// <param name="configure">Settings given in code, applied after the configuration section.</param>
    public static IWorkflowBuilder AddTelemetry(this IWorkflowBuilder workflow, Action<TelemetryOptions>? configure = null)
    {
        workflow.AddSettings<TelemetryOptions>(TelemetryOptions.Section, configure);
        // Orleans carries the current trace across grain calls, so a handler's spans stay in its incident's trace.
        workflow.Silo.AddActivityPropagation();
        var telemetry = workflow.Peek<TelemetryOptions>(TelemetryOptions.Section);
        if (telemetry.Collector is not { } collector)
            return workflow;
        workflow.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(WorkflowTracing.SourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter(otlp => otlp.Endpoint = collector))
            .WithMetrics(metrics => metrics
                .AddMeter(WorkflowTracing.SourceName)
                .AddOtlpExporter(otlp => otlp.Endpoint = collector));
        return workflow;
    }
}
