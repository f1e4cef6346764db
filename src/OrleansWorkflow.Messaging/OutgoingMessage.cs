namespace OrleansWorkflow.Messaging;

/// <summary>A message to publish to a queue through the default exchange; with its incident, it is traced in the incident's trace.</summary>
internal sealed record OutgoingMessage(
    string Queue,
    ReadOnlyMemory<byte> Body,
    string? MessageId,
    IReadOnlyDictionary<string, object?>? Headers = null,
    Guid? IncidentId = null);
