namespace OrleansWorkflow.Incidents;

/// <summary>A message of the incident that went to a dead-letter queue, and why.</summary>
[GenerateSerializer, Immutable]
public sealed record DeadLetterRecord(
    [property: Id(0)] string Queue,
    [property: Id(1)] string? MessageId,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset At);
