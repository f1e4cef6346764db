namespace OrleansWorkflow.Incidents;

/// <summary>What an incident is held to besides its name and kind: its urgency and deadline.</summary>
[GenerateSerializer, Immutable]
public sealed record IncidentTerms
{
    /// <summary>
    /// When the incident should be finished by. When it passes first, the incident is shown overdue, counted in the
    /// owf.incidents.overdue metric, and one message goes to the deadline queue its kind registered (OnDeadline), if any.
    /// </summary>
    [Id(0)] public DateTimeOffset? Deadline { get; init; }

    /// <summary>How urgent it is (default Routine): the engine handles the messages of more urgent incidents first.</summary>
    [Id(1)] public IncidentUrgency Urgency { get; init; }
}
