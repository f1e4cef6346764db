namespace OrleansWorkflow.Incidents;

/// <summary>A schedule of recurring incidents (Workflow:Schedules:&lt;name&gt;) and where it stands.</summary>
[GenerateSerializer, Immutable]
public sealed record ScheduleInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Cron,
    [property: Id(2)] string TimeZone,
    [property: Id(3)] string Kind,
    [property: Id(4)] string Missed,
    [property: Id(5)] DateTimeOffset? LastDue,
    [property: Id(6)] DateTimeOffset? NextDue);

/// <summary>The cluster's schedules of recurring incidents (one grain, key 0).</summary>
public interface ISchedulesGrain : IGrainWithIntegerKey
{
    /// <summary>Every configured schedule, by name, with the last due time it fired (or skipped) and the next.</summary>
    Task<IReadOnlyList<ScheduleInfo>> List();
}
