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

    /// <inheritdoc />
    public IEnumerable<string> Problems() => [];

    public static void KillThisProcess() => System.Diagnostics.Process.GetCurrentProcess().Kill();
}
