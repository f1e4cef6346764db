namespace OrleansWorkflow.Simulations;

/// <summary>One HPC job of an incident, as recorded by its simulation grain.</summary>
[GenerateSerializer, Immutable]
public sealed record SimulationInfo
{
    /// <summary>The simulation's id (the key of its grain).</summary>
    [Id(0)] public Guid SimulationId { get; init; }
    /// <summary>The incident it runs for.</summary>
    [Id(1)] public Guid IncidentId { get; init; }
    /// <summary>The configured machine it runs on.</summary>
    [Id(2)] public string Machine { get; init; } = "";
    /// <summary>The scheduler's job id, once submitted.</summary>
    [Id(3)] public string? JobId { get; init; }
    /// <summary>Where the job is.</summary>
    [Id(4)] public SimulationStatus Status { get; init; }
    /// <summary>The job's exit code once it ended, when the scheduler reports one.</summary>
    [Id(5)] public int? ExitCode { get; init; }
    /// <summary>The job's directory on the machine: &lt;base&gt;/&lt;IncidentID&gt;/&lt;SimulationID&gt;.</summary>
    [Id(6)] public string WorkingDirectory { get; init; } = "";
    /// <summary>The queue told when the job ends.</summary>
    [Id(7)] public string NotifyQueue { get; init; } = "";
    /// <summary>When it was recorded.</summary>
    [Id(8)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the scheduler accepted it.</summary>
    [Id(9)] public DateTimeOffset? SubmittedAt { get; init; }
    /// <summary>When it ended.</summary>
    [Id(10)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>What the scheduler said last (its state word, a signal), or the evidence for Lost.</summary>
    [Id(11)] public string? Detail { get; init; }
    /// <summary>While it is queued: when its scheduler expects to start it (Slurm's estimate, its begin time or its reservation's start), if it says.</summary>
    [Id(12)] public DateTimeOffset? ExpectedStart { get; init; }
    /// <summary>The urgency of its incident when it was requested: a machine at its capacity submits the most urgent first.</summary>
    [Id(13)] public Incidents.IncidentUrgency Urgency { get; init; }
}
