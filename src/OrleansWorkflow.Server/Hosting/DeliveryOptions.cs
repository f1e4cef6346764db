using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Hosting;

/// <summary>How deliveries are handled: retries of a failing handler, and the largest body taken. Bound from the "Workflow" configuration section.</summary>
public sealed class DeliveryOptions : IValidatedSettings
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Workflow";

    /// <summary>Retries after a handler's first failure; then the message is dead-lettered and its incident marked Error.</summary>
    public int RetryLimit { get; set; } = 3;

    /// <summary>Wait before the first retry; it doubles with each further retry, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between retries, and between attempts while the database or broker is unreachable.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bodies above this size are dead-lettered unread.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first).</summary>
    public TimeSpan BackoffBefore(int retry) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, RetryBackoff.Ticks << Math.Min(retry - 1, 20)));

    /// <inheritdoc />
    public IEnumerable<string> Problems()
    {
        if (RetryLimit < 0)
            yield return $"Workflow:RetryLimit is {RetryLimit}; set it to 0 (no retries) or more.";
        if (RetryBackoff < TimeSpan.Zero || MaxBackoff < RetryBackoff)
            yield return "Workflow:RetryBackoff must be 0 or more and at most Workflow:MaxBackoff.";
        if (MaxBodyBytes <= 0)
            yield return $"Workflow:MaxBodyBytes is {MaxBodyBytes}; set a positive size in bytes (default 1048576).";
    }
}
