using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Hosting;

/// <summary>How deliveries are handled: retries of a failing handler, and the largest body taken. Bound from the "Workflow" configuration section.</summary>
public sealed class WorkflowOptions : IValidatedOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Workflow";

    /// <summary>The configuration key of <paramref name="property"/>: the one place its name is written is the property itself.</summary>
    private static string Key(string property) => $"{Section}:{property}";

    /// <summary>Retries after a handler's first failure; then the message is dead-lettered and its incident marked Error.</summary>
    public int RetryLimit { get; set; } = 3;

    /// <summary>Wait before the first retry; it doubles with each further retry, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between retries, and between attempts while the database or broker is unreachable.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bodies above this size are dead-lettered unread, and a handler may not send a larger one.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The longest a handler may work on one message; past it the run counts as a failure (retried, then
    /// dead-lettered). Long work belongs in simulations, which are polled, not waited on.
    /// </summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a finished incident's working data (its handlers' stored data and its simulations' records) is kept;
    /// then the silos purge it, keeping the incident's record and graph. 0 keeps it forever. <c>owf purge</c> purges now.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a finished incident stays in its silo's memory after its end, for clients reading the outcome; then
    /// its activation goes (its handlers' went at the end). A later read brings it back from storage.
    /// </summary>
    public TimeSpan FinishedIncidentIdle { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a handler's activation stays in memory after its last message; then Orleans collects it, and its next
    /// message (rare: most handlers take one message per incident) brings it back from its journal. Short keeps a flood
    /// of incidents' memory down; long spares a handler that takes messages minutes apart the read.
    /// </summary>
    public TimeSpan HandlerIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Recurring incidents by name (Workflow:Schedules:&lt;name&gt;:Cron, TimeZone, Kind, Queue, Message, Missed...), each fired once per due time across the cluster.</summary>
    public Dictionary<string, Time.ScheduleOptions> Schedules { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The shortest <see cref="HandlerIdle"/>: Orleans looks for idle activations at half of it.</summary>
    internal static readonly TimeSpan MinHandlerIdle = TimeSpan.FromSeconds(2);

    /// <summary>The grain-call timeout of a delivery: above the largest HandlerTimeout allowed, so the handler's own limit ends it first.</summary>
    internal const string DeliverCallTimeout = "07:00:00";

    private static readonly TimeSpan LargestHandlerTimeout = TimeSpan.FromHours(6);

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first).</summary>
    public TimeSpan BackoffBefore(int retry) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, RetryBackoff.Ticks << Math.Min(retry - 1, 20)));

    /// <inheritdoc />
    public IEnumerable<string> Problems()
    {
        if (RetryLimit < 0)
            yield return $"{Key(nameof(RetryLimit))} is {RetryLimit}; set it to 0 (no retries) or more.";
        if (RetryBackoff < TimeSpan.Zero || MaxBackoff < RetryBackoff)
            yield return $"{Key(nameof(RetryBackoff))} must be 0 or more and at most {Key(nameof(MaxBackoff))}.";
        if (HandlerTimeout <= TimeSpan.Zero || HandlerTimeout > LargestHandlerTimeout)
            yield return $"{Key(nameof(HandlerTimeout))} is {HandlerTimeout}; set a time above 0 and at most {LargestHandlerTimeout} (default 00:05:00). Work longer than that belongs in a simulation.";
        if (Retention < TimeSpan.Zero)
            yield return $"{Key(nameof(Retention))} is {Retention}; set how long finished incidents' working data is kept (default 30.00:00:00), or 0 to keep it forever.";
        if (FinishedIncidentIdle < TimeSpan.Zero)
            yield return $"{Key(nameof(FinishedIncidentIdle))} is {FinishedIncidentIdle}; set how long a finished incident stays in memory after its end (default 00:00:10), 0 or more.";
        if (HandlerIdle < MinHandlerIdle)
            yield return $"{Key(nameof(HandlerIdle))} is {HandlerIdle}; set how long an idle handler activation stays in memory, at least {MinHandlerIdle} (default 00:00:30).";
        if (MaxBodyBytes <= 0)
            yield return $"{Key(nameof(MaxBodyBytes))} is {MaxBodyBytes}; set a positive size in bytes (default 1048576).";
        foreach (var (name, schedule) in Schedules)
            foreach (var problem in schedule.Problems(Key($"{nameof(Schedules)}:{name}")))
                yield return problem;
    }
}
