namespace OrleansWorkflow.Hosting;

/// <summary>
/// Crash points for the fault-injection tests, bound from the "Faults" configuration section. Empty (off) by
/// default; never set them on a real engine.
/// </summary>
internal sealed class FaultInjection : OrleansWorkflow.Configuration.IValidatedSettings
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Faults";

    /// <summary>
    /// A queue name: the silo kills itself (as SIGKILL would) right after a handler of this queue has written its
    /// state, before the effects go out and before the message is acknowledged.
    /// </summary>
    public string? KillAfterStateWrite { get; set; }

    public bool KillsAfterStateWrite(string queue) => string.Equals(KillAfterStateWrite, queue, StringComparison.Ordinal);

    /// <summary>
    /// A queue name: the silo kills itself whenever a handler of this queue starts on a message, as a handler that
    /// crashes its process would (a native crash, an out-of-memory kill, Environment.FailFast).
    /// </summary>
    public string? KillWhenHandling { get; set; }

    public bool KillsWhenHandling(string queue) => string.Equals(KillWhenHandling, queue, StringComparison.Ordinal);

    /// <summary>
    /// A queue name: once per message, right after a handler of this queue wrote its state, the write reports an
    /// error as if the connection broke after the commit. The message is then retried on state that holds it.
    /// </summary>
    public string? FailAfterStateWrite { get; set; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _failedWrites = new();

    /// <summary>
    /// An incident name: once per incident of that name, the write that stores its end (Completed or Cancelled)
    /// reports an error after it committed.
    /// </summary>
    public string? FailAfterFinishWriteOf { get; set; }

    public bool FailsAfterFinishWrite(string incidentName) =>
        string.Equals(FailAfterFinishWriteOf, incidentName, StringComparison.Ordinal) && _failedWrites.TryAdd("finish:" + incidentName, true);

    public bool FailsAfterStateWrite(string queue, string messageId) =>
        string.Equals(FailAfterStateWrite, queue, StringComparison.Ordinal) && _failedWrites.TryAdd(messageId, true);

    /// <inheritdoc />
    public IEnumerable<string> Problems() => [];

    public static void KillThisProcess() => System.Diagnostics.Process.GetCurrentProcess().Kill();
}
