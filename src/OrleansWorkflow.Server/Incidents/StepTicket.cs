namespace OrleansWorkflow.Incidents;

/// <summary>
/// The answer to <see cref="IIncidentBookkeeping.BeginStep"/>: the status the handler must respect, the urgency its messages go with, the
/// incident's workflow (kind and version: the handler runs only on a silo that runs it) and, when the
/// handler's own write may carry the step's record, the step's number and start.
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct StepTicket(
    [property: Id(0)] IncidentStatus Status,
    [property: Id(1)] int Number,
    [property: Id(2)] DateTimeOffset StartedAt,
    [property: Id(3)] IncidentUrgency Urgency = IncidentUrgency.Routine,
    [property: Id(4)] Hosting.IncidentWorkflow Workflow = default)
{
    /// <summary>The handler writes the step's record with its own state (false: the incident writes it, see EndStep).</summary>
    public bool Carried => Number >= 0;
}
