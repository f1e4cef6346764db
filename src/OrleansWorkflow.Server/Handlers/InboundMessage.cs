using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansWorkflow.Handlers;

/// <summary>A validated message taken from a queue, on its way into a handler grain, with the trace context of its delivery (W3C traceparent).</summary>
[GenerateSerializer, Immutable]
internal sealed record InboundMessage(
    [property: Id(0)] string Queue,
    [property: Id(1)] string MessageId,
    [property: Id(2)] string? Originator,
    [property: Id(3)] string Body,
    [property: Id(4)] string? TraceParent = null)
{
    /// <summary>
    /// The body as the adapter parsed it to validate it. It is never serialized: a call that stays in the adapter's
    /// silo (the message is immutable, so not copied) hands it over; across silos the grain parses <see cref="Body"/>.
    /// </summary>
    [NonSerialized]
    private JsonObject? _parsed;

    public InboundMessage WithParsed(JsonObject parsed)
    {
        _parsed = parsed;
        return this;
    }

    /// <summary>The body as a JSON object the handler may change: the adapter's parse the first time, a fresh one for a retry.</summary>
    public JsonObject TakeBody() =>
        Interlocked.Exchange(ref _parsed, null) ?? JsonNode.Parse(Body)?.AsObject() ?? throw new JsonException("message body is null");
}
