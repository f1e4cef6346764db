using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Configuration;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Tests.FaultInjection;

/// <summary>Crash points for the fault tests, bound from the "Faults" section of a test host. Empty (off) by default.</summary>
internal sealed class FaultSettings : IValidatedOptions
{
    public const string Section = "Faults";

    /// <summary>
    /// A queue name: the silo kills itself (as SIGKILL would) right after a handler of this queue has written its
    /// state, before the effects go out and before the message is acknowledged.
    /// </summary>
    public string? KillAfterStateWrite { get; set; }

    /// <summary>
    /// A queue name: the silo kills itself whenever a handler of this queue starts on a message, as a handler that
    /// crashes its process would (a native crash, an out-of-memory kill, Environment.FailFast).
    /// </summary>
    public string? KillWhenHandling { get; set; }

    /// <summary>
    /// A queue name: once per message, right after a handler of this queue wrote its state, the write reports an
    /// error as if the connection broke after the commit. The message is then retried on state that holds it.
    /// </summary>
    public string? FailAfterStateWrite { get; set; }

    /// <summary>
    /// An incident name: once per incident of that name, the write that stores its end (Completed or Cancelled)
    /// reports an error after it committed.
    /// </summary>
    public string? FailAfterFinishWriteOf { get; set; }

    public IEnumerable<string> Problems() => [];

    public IEnumerable<string> Set() =>
        new[] { (nameof(KillAfterStateWrite), KillAfterStateWrite), (nameof(KillWhenHandling), KillWhenHandling),
                (nameof(FailAfterStateWrite), FailAfterStateWrite), (nameof(FailAfterFinishWriteOf), FailAfterFinishWriteOf) }
            .Where(s => !string.IsNullOrEmpty(s.Item2)).Select(s => $"{Section}:{s.Item1}={s.Item2}");
}

/// <summary>The engine's fault points, as the "Faults" section of a test host sets them.</summary>
internal sealed class FaultInjection(IOptions<FaultSettings> options, ILogger<FaultInjection> logger) : IFaultPoints
{
    private readonly FaultSettings _settings = options.Value;
    private readonly ConcurrentDictionary<string, bool> _failedOnce = new();

    public void HandlerStarting(string queue, string messageId, Guid incidentId)
    {
        // A test that kills a silo tells from this line which incidents the silo was working on.
        logger.LogDebug("Handler {Queue} starts on message {MessageId} of incident {IncidentId}", queue, messageId, incidentId);
        if (Is(_settings.KillWhenHandling, queue))
            Kill("as {Queue} starts on message {MessageId} of incident {IncidentId}", queue, messageId, incidentId);
    }

    public void HandlerStateWritten(string queue, string messageId, Guid incidentId)
    {
        if (Is(_settings.KillAfterStateWrite, queue))
            Kill("after {Queue} stored message {MessageId} of incident {IncidentId}", queue, messageId, incidentId);
        if (Is(_settings.FailAfterStateWrite, queue) && _failedOnce.TryAdd(messageId, true))
            throw new IOException($"Fault injection: the state write of {queue} for message {messageId} reports an error after it committed");
    }

    public void IncidentEndWritten(string incidentName, Guid incidentId)
    {
        if (Is(_settings.FailAfterFinishWriteOf, incidentName) && _failedOnce.TryAdd("finish:" + incidentName, true))
            throw new IOException($"Fault injection: the write of incident {incidentId}'s end reports an error after it committed");
    }

    private static bool Is(string? setting, string value) => string.Equals(setting, value, StringComparison.Ordinal);

    private void Kill(string where, string queue, string messageId, Guid incidentId)
    {
        logger.LogCritical("Fault injection: killing this silo " + where, queue, messageId, incidentId);
        System.Diagnostics.Process.GetCurrentProcess().Kill();
    }
}

/// <summary>Says at start which faults a test host will inject.</summary>
internal sealed class FaultInjectionNotice(IOptions<FaultSettings> options, ILogger<FaultInjection> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Set().ToList() is { Count: > 0 } set)
            logger.LogWarning("Fault injection is on in this test host: {Faults}", string.Join(", ", set));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>How a test host adds fault injection; no engine host calls it.</summary>
public static class FaultInjectionExtensions
{
    /// <summary>Binds the "Faults" section onto the engine's fault points (see <see cref="FaultSettings"/>).</summary>
    public static IWorkflowBuilder AddFaultInjection(this IWorkflowBuilder workflow)
    {
        workflow.AddSettings<FaultSettings>(FaultSettings.Section);
        workflow.Services.RemoveAll<IFaultPoints>();
        workflow.Services.AddSingleton<IFaultPoints, FaultInjection>();
        workflow.Services.AddHostedService<FaultInjectionNotice>();
        return workflow;
    }
}
