namespace OrleansWorkflow.Incidents;

/// <summary>What an incident is held to besides its name and kind.</summary>
[GenerateSerializer, Immutable]
public sealed record IncidentTerms
{
    /// <summary>
    /// When the incident should be finished by. When it passes first, the incident is shown overdue, counted in the
    /// owf.incidents.overdue metric, and one message goes to the deadline queue its kind registered (OnDeadline), if any.
    /// </summary>
    [Id(0)] public DateTimeOffset? Deadline { get; init; }
}
