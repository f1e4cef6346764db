using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Messaging;

/// <summary>Builds the dead letter of a message: its body unchanged, with why and where from in headers.</summary>
internal static class DeadLetters
{
    public static OutgoingMessage For(string queue, ReadOnlyMemory<byte> body, string? messageId, string reason, IDictionary<string, object?>? originalHeaders)
    {
        var headers = originalHeaders is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(originalHeaders);
        headers[WireContract.ReasonHeader] = reason;
        headers[WireContract.OriginalQueueHeader] = queue;
        return new OutgoingMessage(WireContract.DeadLetterQueue(queue), body, messageId, headers);
    }
}
