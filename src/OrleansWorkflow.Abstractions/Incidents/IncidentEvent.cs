namespace OrleansWorkflow.Incidents;

/// <summary>What happened to an incident.</summary>
public enum IncidentEventKind
{
    /// <summary>The incident's status changed (Detail: the reason, if any).</summary>
    StatusChanged = 0,
    /// <summary>A handler started on a message.</summary>
    StepStarted = 1,
    /// <summary>A handler's step ended (Detail: its outcome).</summary>
    StepEnded = 2,
    /// <summary>One of its simulations changed (Detail: the simulation and its status).</summary>
    SimulationChanged = 3,
    /// <summary>One of its messages went to a dead-letter queue (Detail: the reason).</summary>
    DeadLettered = 4,
    /// <summary>A join of one of its handlers changed (Queue: the handler; Detail: the join).</summary>
    JoinChanged = 5,
}

/// <summary>
/// One change of an incident, published on the incident's Orleans stream (<see cref="IncidentEvents"/>) as it happens,
/// for live views. A view that misses events (they are not stored) reads the incident again.
/// </summary>
/// <param name="IncidentId">The incident.</param>
/// <param name="Kind">What changed.</param>
/// <param name="Status">The incident's status after the change.</param>
/// <param name="At">When.</param>
/// <param name="Queue">The queue of the step or dead letter, if the change is about one.</param>
/// <param name="MessageId">The message concerned, if any.</param>
/// <param name="Detail">More about the change (a reason, an outcome).</param>
[GenerateSerializer, Immutable]
public sealed record IncidentEvent(
    [property: Id(0)] Guid IncidentId,
    [property: Id(1)] IncidentEventKind Kind,
    [property: Id(2)] IncidentStatus Status,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string? Queue = null,
    [property: Id(5)] string? MessageId = null,
    [property: Id(6)] string? Detail = null);

/// <summary>Where incident events are published: one stream per incident.</summary>
public static class IncidentEvents
{
    /// <summary>The Orleans stream provider that carries them (memory streams, configured on silos).</summary>
    public const string StreamProvider = "incident-events";

    /// <summary>The streams' namespace; the key is the IncidentID.</summary>
    public const string StreamNamespace = "incident";
}
