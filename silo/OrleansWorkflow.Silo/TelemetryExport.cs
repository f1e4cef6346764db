using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansWorkflow.Messaging.Telemetry;

namespace OrleansWorkflow.Silo;

/// <summary>
/// OTLP export of the engine's traces (an incident's trace id is its IncidentID) and metrics, when an endpoint is
/// configured: Telemetry:OtlpEndpoint (OWF_Telemetry__OtlpEndpoint) or the standard OTEL_EXPORTER_OTLP_ENDPOINT.
/// Without one nothing is collected.
/// </summary>
public static class TelemetryExport
{
    /// <summary>The configured collector, or null when there is none; throws, saying how to fix it, when it is no URL.</summary>
    public static Uri? CollectorOf(IConfiguration configuration)
    {
        var endpoint = configuration["Telemetry:OtlpEndpoint"] ?? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (string.IsNullOrWhiteSpace(endpoint))
            return null;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var collector))
            throw new ArgumentException($"Telemetry:OtlpEndpoint \"{endpoint}\" is not a URL; set it like http://127.0.0.1:4317 (an OpenTelemetry collector's OTLP port).");
        return collector;
    }

    public static void AddWorkflowTelemetry(this IHostApplicationBuilder host, Uri? collector)
    {
        if (collector is null)
            return;
        host.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("orleans-workflow"))
            .WithTracing(tracing => tracing
                .AddSource(WorkflowTracing.SourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter(otlp => otlp.Endpoint = collector))
            .WithMetrics(metrics => metrics
                .AddMeter(WorkflowTracing.SourceName)
                .AddOtlpExporter(otlp => otlp.Endpoint = collector));
    }
}
