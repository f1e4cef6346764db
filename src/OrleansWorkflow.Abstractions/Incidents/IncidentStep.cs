namespace OrleansWorkflow.Incidents;

/// <summary>How one message's handling ended.</summary>
public enum StepOutcome
{
    Processing = 0,
    Completed = 1,
    Failed = 2,
    DeadLettered = 3,
}

/// <summary>One message handled for an incident: the edge from its originator to its queue, and what it sent on.</summary>
[GenerateSerializer]
public sealed class IncidentStep
{
    [Id(0)] public required string Queue { get; init; }
    [Id(1)] public required string MessageId { get; init; }
    [Id(2)] public string? Originator { get; init; }
    [Id(3)] public DateTimeOffset StartedAt { get; init; }
    [Id(4)] public DateTimeOffset? EndedAt { get; set; }
    [Id(5)] public StepOutcome Outcome { get; set; }
    [Id(6)] public List<string> SentTo { get; set; } = [];
    [Id(7)] public string? Error { get; set; }
}
