namespace OrleansWorkflow.Simulations;

internal enum ObservationKind
{
    /// <summary>The scheduler reported the job.</summary>
    Seen = 0,
    /// <summary>The scheduler answered, but not for this job (unknown id).</summary>
    NotFound = 1,
    /// <summary>No answer: the machine or its scheduler could not be reached.</summary>
    Unreachable = 2,
}

/// <summary>What one poll learned about one job. Only <see cref="ObservationKind.Seen"/> can end a job.</summary>
[GenerateSerializer, Immutable]
internal sealed record JobObservation(
    [property: Id(0)] ObservationKind Kind,
    [property: Id(1)] SimulationStatus Status,
    [property: Id(2)] int? ExitCode,
    [property: Id(3)] string Detail,
    [property: Id(4)] DateTimeOffset? ExpectedStart = null)
{
    public static JobObservation Seen(SimulationStatus status, int? exitCode, string detail) => new(ObservationKind.Seen, status, exitCode, detail);
    public static JobObservation NotFound(string evidence) => new(ObservationKind.NotFound, default, null, evidence);
    public static JobObservation Unreachable(string evidence) => new(ObservationKind.Unreachable, default, null, evidence);
}
