namespace OrleansWorkflow.Handlers;

/// <summary>A validated message taken from a queue, on its way into a handler grain, with the trace context of its delivery (W3C traceparent).</summary>
[GenerateSerializer, Immutable]
internal sealed record InboundMessage(
    [property: Id(0)] string Queue,
    [property: Id(1)] string MessageId,
    [property: Id(2)] string? Originator,
    [property: Id(3)] string Body,
    [property: Id(4)] string? TraceParent = null);
