namespace OrleansWorkflow.Incidents;

/// <summary>A join of one of the incident's handlers: which inputs it waits for, which arrived, and until when it waits.</summary>
[GenerateSerializer, Immutable]
public sealed record JoinInfo(
    [property: Id(0)] string Queue,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyList<string> Expected,
    [property: Id(3)] IReadOnlyList<string> Arrived,
    [property: Id(4)] int Needed,
    [property: Id(5)] DateTimeOffset OpenedAt,
    [property: Id(6)] DateTimeOffset? Until,
    [property: Id(7)] DateTimeOffset? FiredAt,
    [property: Id(8)] bool TimedOut)
{
    /// <summary>Expected inputs that have not arrived.</summary>
    public IReadOnlyList<string> Missing => [.. Expected.Except(Arrived)];

    /// <summary>It still waits for inputs.</summary>
    public bool Waiting => FiredAt is null;
}
