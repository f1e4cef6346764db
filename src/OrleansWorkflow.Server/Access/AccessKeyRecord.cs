namespace OrleansWorkflow.Access;

/// <summary>An API key as the engine keeps it: never the key itself, only its hash.</summary>
[GenerateSerializer, Immutable]
internal sealed record AccessKeyRecord(
    [property: Id(0)] string Name,
    [property: Id(1)] string Role,
    [property: Id(2)] string Hash,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string CreatedBy);
