using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansWorkflow.Hosting;

/// <summary>
/// The places where the engine's fault tests break a silo on purpose. An engine host has none of them
/// (<see cref="NoFaultPoints"/>): the interface is internal, and only the engine's test assemblies register another.
/// </summary>
internal interface IFaultPoints
{
    /// <summary>A handler of <paramref name="queue"/> is about to run on a message.</summary>
    void HandlerStarting(string queue, string messageId, Guid incidentId);

    /// <summary>A handler's journal write committed, before its effects go out and the message is acknowledged.</summary>
    void HandlerStateWritten(string queue, string messageId, Guid incidentId);

    /// <summary>The end (Completed or Cancelled) of the incident named <paramref name="incidentName"/> was stored.</summary>
    void IncidentEndWritten(string incidentName, Guid incidentId);
}

/// <summary>What every engine host has: no fault anywhere.</summary>
internal sealed class NoFaultPoints : IFaultPoints
{
    public void HandlerStarting(string queue, string messageId, Guid incidentId) { }

    public void HandlerStateWritten(string queue, string messageId, Guid incidentId) { }

    public void IncidentEndWritten(string incidentName, Guid incidentId) { }
}

/// <summary>
/// Says at start that a "Faults" section in the configuration does nothing here: fault injection exists only in the
/// engine's test hosts, and an operator who set it (from a test's notes, say) should learn that it is ignored.
/// </summary>
internal sealed class IgnoredFaultsNotice(IConfiguration configuration, IFaultPoints faults, ILogger<IgnoredFaultsNotice> logger) : IHostedService
{
    public const string Section = "Faults";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var keys = configuration.GetSection(Section).AsEnumerable(makePathsRelative: false)
            .Where(pair => pair.Value is not null).Select(pair => pair.Key).Order(StringComparer.Ordinal).ToList();
        if (keys.Count > 0 && faults is NoFaultPoints)
            logger.LogWarning("The configuration section {Section} ({Keys}) is ignored: fault injection exists only in the engine's test hosts, never in an engine host. Remove it (for example OWF_Faults__* environment variables).",
                Section, string.Join(", ", keys));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
