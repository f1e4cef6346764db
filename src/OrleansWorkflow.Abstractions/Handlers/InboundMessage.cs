namespace OrleansWorkflow.Handlers;

/// <summary>A validated message taken from a queue, on its way into a handler grain.</summary>
[GenerateSerializer, Immutable]
public sealed record InboundMessage(
    [property: Id(0)] string Queue,
    [property: Id(1)] string MessageId,
    [property: Id(2)] string? Originator,
    [property: Id(3)] string Body);
