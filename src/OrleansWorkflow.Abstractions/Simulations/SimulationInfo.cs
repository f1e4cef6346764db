namespace OrleansWorkflow.Simulations;

/// <summary>One HPC job of an incident, as recorded by its simulation grain.</summary>
[GenerateSerializer, Immutable]
public sealed record SimulationInfo
{
    [Id(0)] public Guid SimulationId { get; init; }
    [Id(1)] public Guid IncidentId { get; init; }
    [Id(2)] public string Machine { get; init; } = "";
    [Id(3)] public string? JobId { get; init; }
    [Id(4)] public SimulationStatus Status { get; init; }
    /// <summary>The job's exit code once it ended, when the scheduler reports one.</summary>
    [Id(5)] public int? ExitCode { get; init; }
    [Id(6)] public string WorkingDirectory { get; init; } = "";
    [Id(7)] public string NotifyQueue { get; init; } = "";
    [Id(8)] public DateTimeOffset CreatedAt { get; init; }
    [Id(9)] public DateTimeOffset? SubmittedAt { get; init; }
    [Id(10)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>What the scheduler said last (its state word, a signal), or the evidence for Lost.</summary>
    [Id(11)] public string? Detail { get; init; }
}
