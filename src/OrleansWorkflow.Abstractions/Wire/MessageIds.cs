using System.Security.Cryptography;
using System.Text;

namespace OrleansWorkflow.Wire;

/// <summary>
/// Message ids that a redelivery reproduces: the n-th message a handler sends while handling message P
/// always gets the same id, so the receiver can recognise a republished copy.
/// </summary>
public static class MessageIds
{
    /// <summary>A fresh MessageID, for a message that no other message caused.</summary>
    public static string New() => Guid.NewGuid().ToString();

    /// <summary>The id of the <paramref name="position"/>-th message <paramref name="handler"/> sends while handling <paramref name="parentMessageId"/>: the same at every redelivery.</summary>
    public static string Derive(string parentMessageId, string handler, int position)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{parentMessageId}\n{handler}\n{position}"));
        var bytes = hash.AsSpan(0, 16);
        // Mark the result as an RFC 9562 version 8 (custom) UUID so it reads as a UUID everywhere.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
