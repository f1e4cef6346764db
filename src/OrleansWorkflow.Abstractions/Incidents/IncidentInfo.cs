namespace OrleansWorkflow.Incidents;

/// <summary>
/// What an incident is and where it stands. <see cref="WorkflowVersion"/> is the version of its kind it was created
/// with (the newest a live silo ran then; 1 for incidents created before versions were recorded): its handlers keep
/// the path of that version for its whole life.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record IncidentInfo(
    [property: Id(0)] Guid IncidentId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Kind,
    [property: Id(3)] DateTimeOffset IncidentDate,
    [property: Id(4)] IncidentStatus Status,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset UpdatedAt,
    [property: Id(7)] string? Reason,
    [property: Id(8)] DateTimeOffset? Deadline = null,
    [property: Id(9)] DateTimeOffset? OverdueSince = null,
    [property: Id(10)] IncidentUrgency Urgency = IncidentUrgency.Routine,
    [property: Id(11)] int WorkflowVersion = 1)
{
    /// <summary>Its deadline passed while it was unfinished.</summary>
    public bool Overdue => OverdueSince is not null;
}
