using System.Text.Json.Nodes;

namespace OrleansWorkflow.Handlers;

/// <summary>The message a join with a timeout sends itself for later: its handler's queue, the join's name under "join_timeout".</summary>
internal static class JoinTimeout
{
    public const string Key = "join_timeout";

    public static JsonObject Message(Guid incidentId, string join) => new()
    {
        [Wire.WireContract.IncidentIdKey] = incidentId.ToString(),
        [Key] = join,
    };

    /// <summary>The join <paramref name="message"/> is the timeout of, when it is one this handler sent itself.</summary>
    public static string? Of(JsonObject message, string? originator, string queue) =>
        originator == queue && message[Key] is JsonValue value && value.TryGetValue(out string? join) ? join : null;

    /// <summary>
    /// A timeout that has nothing left to do: its join fired already (its cancellation came too late) or is unknown.
    /// Such a message is taken as handled without running the handler.
    /// </summary>
    public static bool IsStale(JsonObject message, string? originator, string queue, IReadOnlyDictionary<string, JoinRecord> joins) =>
        Of(message, originator, queue) is { } join && (!joins.TryGetValue(join, out var record) || record.FiredAt is not null);
}
