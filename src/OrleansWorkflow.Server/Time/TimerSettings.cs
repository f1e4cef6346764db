namespace OrleansWorkflow.Time;

internal static class TimerSettings
{
    /// <summary>How soon a due time missed while no silo ran (or a failed send) is tried again.</summary>
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(10);

    /// <summary>The latest a handler may send for later: further ahead is more likely a unit mistake than a plan.</summary>
    public static readonly TimeSpan LongestDelay = TimeSpan.FromDays(366);
}
