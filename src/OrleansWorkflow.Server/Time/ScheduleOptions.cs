using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Time;

/// <summary>What a schedule does with a due time it missed (no silo ran at that time, or a tick came late).</summary>
public enum MissedFires
{
    /// <summary>Creates one incident for the latest due time missed, however many were missed (default).</summary>
    RunOnce = 0,

    /// <summary>Creates none for due times missed; the next due time is kept.</summary>
    Skip = 1,
}

/// <summary>
/// A recurring incident, bound from "Workflow:Schedules:&lt;name&gt;": at each due time of <see cref="Cron"/> in
/// <see cref="TimeZone"/>, one incident of <see cref="Kind"/> is created, once across the cluster, and
/// <see cref="Message"/> sent to <see cref="Queue"/> for it (a daily readiness drill, a forecast cycle every six hours).
/// </summary>
public sealed class ScheduleOptions
{
    /// <summary>Cron expression: five fields (minute hour day month weekday), or six with seconds first.</summary>
    public string Cron { get; set; } = "";

    /// <summary>The IANA time zone the cron expression is read in (default UTC): "0 6 * * *" in Europe/Paris is 06:00 there, summer and winter.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>The kind of incident created.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The name of each incident; empty: the schedule's name and the due time.</summary>
    public string IncidentName { get; set; } = "";

    /// <summary>The urgency of each incident.</summary>
    public IncidentUrgency Urgency { get; set; } = IncidentUrgency.Routine;

    /// <summary>A queue the incident's first message goes to; empty: the incident is created alone.</summary>
    public string Queue { get; set; } = "";

    /// <summary>That message, a JSON object (its IncidentID is set for each incident); empty: {}.</summary>
    public string Message { get; set; } = "";

    /// <summary>What a missed due time becomes (RunOnce or Skip).</summary>
    public MissedFires Missed { get; set; } = MissedFires.RunOnce;

    /// <summary>How late a due time may be fired and still count as on time (default 1 minute; later is missed).</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every problem of this schedule's settings, each by its key under <paramref name="key"/>.</summary>
    internal IEnumerable<string> Problems(string key)
    {
        if (Parse(Cron) is null)
            yield return $"{key}:Cron \"{Cron}\" is not a cron expression; give five fields (minute hour day month weekday, e.g. \"0 6 * * *\") or six with seconds first.";
        if (Zone(TimeZone) is null)
            yield return $"{key}:TimeZone \"{TimeZone}\" is not a time zone; give an IANA name such as UTC or Europe/Paris.";
        if (string.IsNullOrWhiteSpace(Kind))
            yield return $"{key}:Kind is empty; set the kind of incident the schedule creates.";
        if (Queue.Length > 0 && QueueProblem(Queue) is { } queue)
            yield return $"{key}:Queue: {queue}";
        if (Message.Length > 0 && TryParse(Message) is null)
            yield return $"{key}:Message is not a JSON object; give one like {{\"drill\": true}}.";
        if (Grace <= TimeSpan.Zero)
            yield return $"{key}:Grace is {Grace}; set a positive duration.";
    }

    /// <summary>The due times after <paramref name="after"/> up to <paramref name="until"/>, in order.</summary>
    internal IEnumerable<DateTimeOffset> DueTimes(DateTimeOffset after, DateTimeOffset until) =>
        Parse(Cron)!.GetOccurrences(after.UtcDateTime, until.UtcDateTime, Zone(TimeZone)!, fromInclusive: false, toInclusive: true)
            .Select(d => new DateTimeOffset(d, TimeSpan.Zero));

    /// <summary>The first due time after <paramref name="after"/>.</summary>
    internal DateTimeOffset? NextDue(DateTimeOffset after) =>
        Parse(Cron)!.GetNextOccurrence(after.UtcDateTime, Zone(TimeZone)!) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    /// <summary>The message for each incident, without its IncidentID.</summary>
    internal JsonObject MessageObject() => Message.Length == 0 ? new JsonObject() : TryParse(Message) ?? new JsonObject();

    private static JsonObject? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static CronExpression? Parse(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
            return null;
        return CronExpression.TryParse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard, out var parsed) ? parsed : null;
    }

    private static TimeZoneInfo? Zone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    private static string? QueueProblem(string queue)
    {
        try
        {
            WireContract.ValidateQueueName(queue);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
