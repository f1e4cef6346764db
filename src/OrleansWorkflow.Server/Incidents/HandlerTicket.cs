namespace OrleansWorkflow.Incidents;

/// <summary>
/// The answer to <see cref="IIncidentBookkeeping.Admit"/>, taken once per handler activation: the status the handler
/// must respect (a finish is told to the handlers afterwards, and refused to their appends in the database), the
/// urgency its messages go with, the incident's workflow (kind and version: the handler runs only on a silo that runs
/// it), and whether a handler on the queue recorded steps before (so its journal is worth reading).
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct HandlerTicket(
    [property: Id(0)] IncidentStatus Status,
    [property: Id(1)] IncidentUrgency Urgency,
    [property: Id(2)] Hosting.IncidentWorkflow Workflow,
    [property: Id(3)] bool RanBefore);
