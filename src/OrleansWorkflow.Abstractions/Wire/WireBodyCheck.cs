using System.Text.Json;

namespace OrleansWorkflow.Wire;

/// <summary>
/// Finds what makes a JSON body unusable although a lenient parser accepts it: a key repeated in one object (the
/// parsed object throws when it is first read) and a string escape that decodes to a lone UTF-16 surrogate (reading
/// the string throws). Either would fail at every delivery, so the body is refused before anything reads it.
/// </summary>
internal static class WireBodyCheck
{
    /// <summary>True when <paramref name="body"/> is JSON without repeated keys or lone surrogates; otherwise <paramref name="reason"/> says which.</summary>
    public static bool IsSound(ReadOnlySpan<byte> body, out string reason)
    {
        var reader = new Utf8JsonReader(body);
        var keys = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        keys.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        if (!TryDecode(ref reader, out var key, out reason))
                            return false;
                        if (!keys.Peek().Add(key))
                        {
                            reason = $"body repeats the key \"{Shorten(key)}\" in one object (at byte {reader.TokenStartIndex}); each key may appear once";
                            return false;
                        }
                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        if (!TryDecode(ref reader, out _, out reason))
                            return false;
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            reason = $"body is not JSON: {e.Message}";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    private static bool TryDecode(ref Utf8JsonReader reader, out string text, out string reason)
    {
        try
        {
            text = reader.GetString()!;
            reason = string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = string.Empty;
            reason = $"body has a string that is not valid Unicode (at byte {reader.TokenStartIndex}): a \\u escape of a lone UTF-16 surrogate; escape a character outside the BMP as a surrogate pair or send it as UTF-8";
            return false;
        }
    }

    /// <summary>A text cut to 60 characters for a reason.</summary>
    public static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
