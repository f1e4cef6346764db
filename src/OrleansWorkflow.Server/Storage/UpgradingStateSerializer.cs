using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansWorkflow.Storage;

/// <summary>
/// Writes grain state with Orleans' binary serializer (its state types are [GenerateSerializer] with stable ids; it
/// costs less CPU than JSON, which shows in bench/ E1) and still reads state written as JSON by the default
/// serializer of earlier versions, so existing incidents survive an upgrade and are rewritten in binary on their next write.
/// </summary>
internal sealed class UpgradingStateSerializer(Serializer serializer, IGrainStorageSerializer earlier) : IGrainStorageSerializer
{
    private readonly OrleansGrainStorageSerializer _binary = new(serializer);

    public BinaryData Serialize<T>(T? input) => _binary.Serialize(input);

    public T? Deserialize<T>(BinaryData input)
    {
        try
        {
            return _binary.Deserialize<T>(input);
        }
        catch (Exception) when (LooksLikeJson(input.ToMemory().Span))
        {
            return earlier.Deserialize<T>(input);
        }
    }

    private static bool LooksLikeJson(ReadOnlySpan<byte> payload)
    {
        var text = payload.TrimStart(" \t\r\n"u8);
        return text.Length > 0 && text[0] == (byte)'{';
    }
}
