using System.Text.Json.Nodes;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// The joins of one handler run: the stored ones, changed by the message being handled. What changed is kept only if
/// the run succeeds (its events go into the same journal entry as the run's documents and effects).
/// </summary>
internal sealed class RunJoins(IReadOnlyDictionary<string, JoinRecord> stored, string queue, string? originator, JsonObject message, DateTimeOffset now)
{
    private readonly Dictionary<string, View> _views = new(StringComparer.Ordinal);

    public List<JoinEvent> Events { get; } = [];

    /// <summary>The joins this run changed, as they now stand.</summary>
    public IEnumerable<JoinRecord> Changed => _views.Values.Where(v => v.Changed).Select(v => v.Record);

    /// <summary>
    /// The join as <see cref="IHandlerContext.Join"/> describes it; <paramref name="scheduleTimeout"/> sends its timeout
    /// message at the given time and returns its id, <paramref name="cancelTimeout"/> drops one.
    /// </summary>
    public IJoin Join(string name, IReadOnlyCollection<string> expect, TimeSpan? timeout, int? needed,
        Func<DateTimeOffset, JsonObject, string> scheduleTimeout, Action<string> cancelTimeout, Guid incidentId)
    {
        if (_views.TryGetValue(name, out var known))
            return known;
        Validate(name, expect, timeout, needed);
        var changed = false;
        JoinRecord record;
        if (stored.TryGetValue(name, out var before))
        {
            record = before.Copy();
        }
        else
        {
            var until = timeout is { } wait ? now + wait : (DateTimeOffset?)null;
            var timeoutId = until is { } at ? scheduleTimeout(at, JoinTimeout.Message(incidentId, name)) : null;
            var opened = new JoinEvent { Join = name, Opened = new JoinOpening([.. expect], needed ?? expect.Count, now, until, timeoutId) };
            record = Record(opened);
            changed = true;
        }

        var firesNow = false;
        if (record.FiredAt is null)
        {
            if (originator is { } input && record.Opening.Expected.Contains(input))
            {
                Record(new JoinEvent { Join = name, Input = input, Message = message.ToJsonString() }, record);
                changed = true;
            }
            var timedOut = JoinTimeout.Of(message, originator, queue) == name && record.Opening.Until <= now;
            if (record.Arrived.Count >= record.Opening.Needed || timedOut)
            {
                var complete = record.Arrived.Count >= record.Opening.Needed;
                Record(new JoinEvent { Join = name, FiredAt = now, TimedOut = !complete }, record);
                if (complete && record.Opening.TimeoutMessageId is { } pending)
                    cancelTimeout(pending);
                firesNow = changed = true;
            }
        }
        var view = new View(record, firesNow, changed);
        _views[name] = view;
        return view;
    }

    private JoinRecord Record(JoinEvent opened)
    {
        Events.Add(opened);
        return JoinRecord.Open(opened);
    }

    private void Record(JoinEvent change, JoinRecord record)
    {
        Events.Add(change);
        record.Apply(change);
    }

    private static void Validate(string name, IReadOnlyCollection<string> expect, TimeSpan? timeout, int? needed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(expect);
        if (expect.Count == 0 || expect.Any(string.IsNullOrWhiteSpace) || expect.Distinct(StringComparer.Ordinal).Count() != expect.Count)
            throw new ArgumentException($"Join \"{name}\" needs a list of distinct, non-empty inputs (the originators it waits for), e.g. [\"fire_terrain\", \"weather_results\"].", nameof(expect));
        if (needed is { } k && (k < 1 || k > expect.Count))
            throw new ArgumentOutOfRangeException(nameof(needed), k, $"Join \"{name}\" waits for {expect.Count} inputs: it can need from 1 to {expect.Count} of them.");
        if (timeout is { } t && (t <= TimeSpan.Zero || t > Time.TimerSettings.LongestDelay))
            throw new ArgumentOutOfRangeException(nameof(timeout), t, $"Join \"{name}\" takes a timeout above 0 and at most {Time.TimerSettings.LongestDelay.TotalDays:0} days, or none.");
    }

    private sealed class View(JoinRecord record, bool firesNow, bool changed) : IJoin
    {
        public JoinRecord Record => record;
        public bool Changed => changed;
        public string Name => record.Name;
        public IReadOnlyList<string> Expected => record.Opening.Expected;
        public int Needed => record.Opening.Needed;
        public bool FiresNow => firesNow;
        public bool HasFired => record.FiredAt is not null;
        public bool TimedOut => record.TimedOut;
        public IReadOnlyList<string> Arrived => record.ArrivalOrder;
        // Parsed once, when a handler first asks: the record does not change after this run's call.
        private IReadOnlyDictionary<string, JsonObject>? _inputs;
        public IReadOnlyDictionary<string, JsonObject> Inputs => _inputs ??= record.Arrived.Keys.ToDictionary(i => i, record.Input);
        public IReadOnlyList<string> Missing => [.. record.Missing];
        public DateTimeOffset? Until => record.Opening.Until;
    }
}
