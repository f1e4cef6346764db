using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Web.Api;

/// <summary>One message handled for the incident, as the timeline shows it.</summary>
internal sealed record TimelineEntry(
    string Queue, string? Handler, string MessageId, string? Originator, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    double? Seconds, StepOutcome Outcome, IReadOnlyList<string> SentTo, string? Error);

/// <summary>An incident in a list: what it is, where it stands, and the stage it is at.</summary>
internal sealed record IncidentSummary(
    Guid IncidentId, string Name, string Kind, IncidentStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    double AgeSeconds, string? Stage, string? Reason, IncidentUrgency Urgency, DateTimeOffset? Deadline, bool Overdue, int WorkflowVersion);

/// <summary>A join as the incident page shows it: "waiting for: weather_results (3 min left)".</summary>
internal sealed record JoinView(
    string Queue, string Name, IReadOnlyList<string> Arrived, IReadOnlyList<string> Missing, int Needed,
    DateTimeOffset? Until, double? SecondsLeft, DateTimeOffset? FiredAt, bool TimedOut);

/// <summary>Everything the incident page shows.</summary>
internal sealed record IncidentDetail(
    IncidentSummary Incident, DateTimeOffset IncidentDate, IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<JoinView> Joins, IReadOnlyList<SimulationInfo> Simulations, IReadOnlyList<DeadLetterRecord> DeadLetters);

internal static class IncidentViews
{
    /// <summary>Where the incident is now: the queues handling its messages, else the last queue that handled one.</summary>
    public static string? StageOf(IReadOnlyList<IncidentStep> steps)
    {
        var running = steps.Where(s => s.Outcome == StepOutcome.Processing).Select(s => s.Queue).Distinct().ToList();
        if (running.Count > 0)
            return string.Join(", ", running);
        return steps.OrderBy(s => s.EndedAt ?? s.StartedAt).LastOrDefault()?.Queue;
    }

    public static IncidentSummary Summary(IncidentInfo info, IReadOnlyList<IncidentStep>? steps, DateTimeOffset now) =>
        new(info.IncidentId, info.Name, info.Kind, info.Status, info.CreatedAt, info.UpdatedAt,
            Math.Round((now - info.CreatedAt).TotalSeconds, 1), steps is null ? null : StageOf(steps), info.Reason, info.Urgency, info.Deadline, info.Overdue, info.WorkflowVersion);

    public static JoinView Join(JoinInfo join, DateTimeOffset now) =>
        new(join.Queue, join.Name, join.Arrived, join.Missing, join.Needed, join.Until,
            join is { Waiting: true, Until: { } until } ? Math.Max(0, Math.Round((until - now).TotalSeconds)) : null, join.FiredAt, join.TimedOut);

    public static TimelineEntry Entry(IncidentStep step, HandlerRegistry handlers) =>
        new(step.Queue, handlers.IsRegistered(step.Queue) ? handlers.HandlerOf(step.Queue).Name : null, step.MessageId, step.Originator,
            step.StartedAt, step.EndedAt, step.EndedAt is { } end ? Math.Round((end - step.StartedAt).TotalSeconds, 3) : null,
            step.Outcome, step.SentTo, step.Error);
}
