namespace OrleansWorkflow.Incidents;

/// <summary>What happened to an incident.</summary>
public enum IncidentEventKind
{
    StatusChanged = 0,
    StepStarted = 1,
    StepEnded = 2,
    SimulationChanged = 3,
    DeadLettered = 4,
}

/// <summary>
/// One change of an incident, published on the incident's Orleans stream (<see cref="IncidentEvents"/>) as it happens,
/// for live views. A view that misses events (they are not stored) reads the incident again.
/// </summary>
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
