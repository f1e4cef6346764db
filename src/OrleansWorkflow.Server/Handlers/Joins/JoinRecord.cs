using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansWorkflow.Handlers;

/// <summary>A join as its stored events make it; <see cref="Apply"/> is the only way it changes.</summary>
internal sealed class JoinRecord
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<string, string> _arrived = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    private JoinRecord(string name, JoinOpening opening) => (Name, Opening) = (name, opening);

    public string Name { get; }
    public JoinOpening Opening { get; }
    public DateTimeOffset? FiredAt { get; private set; }
    public bool TimedOut { get; private set; }

    /// <summary>Arrived inputs in order of arrival, each with its message as JSON text.</summary>
    public IReadOnlyDictionary<string, string> Arrived => _arrived;

    public IReadOnlyList<string> ArrivalOrder => _order;

    public IEnumerable<string> Missing => Opening.Expected.Where(e => !_arrived.ContainsKey(e));

    public static JoinRecord Open(JoinEvent opened) =>
        new(opened.Join, opened.Opened ?? throw new InvalidDataException($"join {opened.Join}: its first event does not open it"));

    public void Apply(JoinEvent change)
    {
        if (change.Input is { } input)
        {
            if (!_arrived.ContainsKey(input))
                _order.Add(input);
            _arrived[input] = change.Message ?? "{}";
        }
        if (change.FiredAt is { } fired)
            (FiredAt, TimedOut) = (fired, change.TimedOut);
    }

    public JoinRecord Copy()
    {
        var copy = new JoinRecord(Name, Opening) { FiredAt = FiredAt, TimedOut = TimedOut };
        foreach (var (input, message) in _arrived)
            copy._arrived[input] = message;
        copy._order.AddRange(_order);
        return copy;
    }

    /// <summary>Every join of a handler, from its events in journal order.</summary>
    public static void ApplyAll(Dictionary<string, JoinRecord> joins, IEnumerable<JoinEvent> events)
    {
        foreach (var change in events)
        {
            if (!joins.TryGetValue(change.Join, out var join))
                joins[change.Join] = join = Open(change);
            join.Apply(change);
        }
    }

    public static string Serialize(JoinEvent change) => JsonSerializer.Serialize(change, Json);

    public static JoinEvent Deserialize(string text) =>
        JsonSerializer.Deserialize<JoinEvent>(text, Json) ?? throw new InvalidDataException("a stored join event is null");

    public Incidents.JoinInfo Info(string queue) =>
        new(queue, Name, Opening.Expected, [.. _order], Opening.Needed, Opening.OpenedAt, Opening.Until, FiredAt, TimedOut);

    public JsonObject Input(string input) => JsonNode.Parse(_arrived[input])!.AsObject();
}
