using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Hosting;

/// <summary>Where the engine's traces and metrics go. Bound from the "Telemetry" configuration section.</summary>
public sealed class TelemetryOptions : IValidatedOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Telemetry";

    /// <summary>The configuration key of <paramref name="property"/>: the one place its name is written is the property itself.</summary>
    private static string Key(string property) => $"{Section}:{property}";

    /// <summary>An OpenTelemetry collector's OTLP endpoint, like http://127.0.0.1:4317; unset, OTEL_EXPORTER_OTLP_ENDPOINT is used, and without either nothing is exported.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The service name the exported telemetry carries.</summary>
    public string ServiceName { get; set; } = "orleans-workflow";

    /// <summary>The collector, or null when none is configured.</summary>
    public Uri? Collector => Endpoint is { Length: > 0 } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var collector) ? collector : null;

    private string? Endpoint => OtlpEndpoint ?? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT");

    /// <inheritdoc />
    public IEnumerable<string> Problems()
    {
        var endpoint = Endpoint;
        if (!string.IsNullOrWhiteSpace(endpoint) && Collector is null)
            yield return $"{Key(nameof(OtlpEndpoint))} \"{Configuration.Secrets.RedactUri(endpoint)}\" is not a URL; set it like http://127.0.0.1:4317 (an OpenTelemetry collector's OTLP port).";
        if (string.IsNullOrWhiteSpace(ServiceName))
            yield return $"{Key(nameof(ServiceName))} is empty; name the service the telemetry comes from.";
    }
}
