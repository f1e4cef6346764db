using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace OrleansWorkflow.Wire;

/// <summary>A workflow message as it travels: a JSON object that carries the IncidentID of its incident.</summary>
public sealed class WireMessage
{
    private WireMessage(Guid incidentId, JsonObject body)
    {
        IncidentId = incidentId;
        Body = body;
    }

    /// <summary>The incident the message is for.</summary>
    public Guid IncidentId { get; }

    /// <summary>The whole message.</summary>
    public JsonObject Body { get; }

    /// <summary>Its MessageID, when it has one.</summary>
    public string? MessageId => Body[WireContract.MessageIdKey] is JsonValue v && v.TryGetValue(out string? id) ? id : null;

    /// <summary>Its originator, when it has one.</summary>
    public string? Originator => Body[WireContract.OriginatorKey] is JsonValue v && v.TryGetValue(out string? name) ? name : null;

    /// <summary>Reads a message off the wire; on failure <paramref name="reason"/> says what is wrong with it.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out WireMessage? message, out string reason)
    {
        message = null;
        if (!Utf8.IsValid(body))
        {
            reason = "body is not valid UTF-8";
            return false;
        }

        if (!WireBodyCheck.IsSound(body, out reason))
            return false;

        var node = JsonNode.Parse(body);

        if (node is not JsonObject json)
        {
            reason = $"body is JSON {Describe(node)}, not an object";
            return false;
        }

        if (!TryReadIncidentId(json, out var incidentId, out reason))
            return false;

        message = new WireMessage(incidentId, json);
        return true;
    }

    /// <summary>Checks a message that code is about to send and returns its IncidentID; throws with the fix when it has none.</summary>
    public static Guid IncidentIdOf(JsonObject message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!TryReadIncidentId(message, out var incidentId, out var reason))
            throw new ArgumentException($"Cannot send this message: {reason}. Every workflow message carries \"{WireContract.IncidentIdKey}\": the UUID of its incident.", nameof(message));
        return incidentId;
    }

    /// <summary>
    /// The JSON text to send for <paramref name="message"/>: a copy stamped with its MessageID and originator as the
    /// wire contract says, the caller's other keys untouched. Throws, naming the fix, when it carries no IncidentID.
    /// </summary>
    public static string Stamp(JsonObject message, string messageId, string originator)
    {
        IncidentIdOf(message);
        var stamped = message.DeepClone().AsObject();
        stamped[WireContract.MessageIdKey] = messageId;
        stamped[WireContract.OriginatorKey] = originator;
        return stamped.ToJsonString();
    }

    private static bool TryReadIncidentId(JsonObject json, out Guid incidentId, out string reason)
    {
        incidentId = Guid.Empty;
        if (!json.TryGetPropertyValue(WireContract.IncidentIdKey, out var value) || value is null)
        {
            reason = $"the message has no \"{WireContract.IncidentIdKey}\" key";
            return false;
        }

        if (value is not JsonValue scalar || !scalar.TryGetValue(out string? text) || !Guid.TryParse(text, out incidentId))
        {
            reason = $"\"{WireContract.IncidentIdKey}\" is {WireBodyCheck.Shorten(value.ToJsonString())}, which is not a UUID";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a value",
        },
        _ => "a value",
    };
}
