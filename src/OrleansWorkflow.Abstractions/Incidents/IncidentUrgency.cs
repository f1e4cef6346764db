namespace OrleansWorkflow.Incidents;

/// <summary>
/// How urgent an incident is. The messages of a more urgent incident go to their node's queue for that urgency
/// (<see cref="Wire.WireContract.QueueFor"/>), which the engine drains before the less urgent ones.
/// </summary>
public enum IncidentUrgency
{
    /// <summary>Routine work: its messages go to the node's own queue.</summary>
    Routine = 0,
    /// <summary>Overtakes routine work.</summary>
    Urgent = 1,
    /// <summary>Overtakes all other work.</summary>
    Emergency = 2,
}
