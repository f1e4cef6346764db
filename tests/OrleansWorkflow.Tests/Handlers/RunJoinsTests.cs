using OrleansWorkflow.Tests.Infrastructure;
using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Tests.Handlers;

/// <summary>The join's rules, one handler run at a time, without an engine.</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class RunJoinsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 14, 0, 0, TimeSpan.Zero);
    private static readonly Guid Incident = Guid.NewGuid();
    private const string Queue = "fire_simulation";
    private static readonly string[] Inputs = ["fire_terrain", "fire_hotspot", "weather_results"];

    private readonly Dictionary<string, JoinRecord> _stored = [];
    private readonly List<(DateTimeOffset At, string Id)> _scheduled = [];
    private readonly List<string> _cancelled = [];

    [Fact]
    public void Bad_arguments_are_refused_with_what_to_pass()
    {
        var run = Run("fire_terrain", Start);
        Assert.Contains("distinct, non-empty inputs", Assert.Throws<ArgumentException>(() => Join(run, [])).Message);
        Assert.Throws<ArgumentException>(() => Join(run, ["a", "a"]));
        Assert.Contains("from 1 to 2", Assert.Throws<ArgumentOutOfRangeException>(() => Join(run, ["a", "b"], needed: 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Join(run, ["a"], timeout: TimeSpan.Zero));
    }

    [Fact]
    public void It_fires_on_the_needed_input_once_and_takes_its_timeout_back()
    {
        var first = Keep(Run("fire_terrain", Start), timeout: TimeSpan.FromMinutes(30), needed: 2);
        Assert.False(first.FiresNow);
        Assert.Equal(["fire_hotspot", "weather_results"], first.Missing);
        var (at, timeoutId) = Assert.Single(_scheduled);
        Assert.Equal(Start.AddMinutes(30), at);

        var second = Keep(Run("weather_results", Start.AddMinutes(1)), timeout: TimeSpan.FromMinutes(30), needed: 2);
        Assert.True(second.FiresNow);
        Assert.False(second.TimedOut);
        Assert.Equal(["fire_terrain", "weather_results"], second.Arrived);
        Assert.Equal([timeoutId], _cancelled);

        var third = Keep(Run("fire_hotspot", Start.AddMinutes(2)), timeout: TimeSpan.FromMinutes(30), needed: 2);
        Assert.False(third.FiresNow);
        Assert.True(third.HasFired);
        Assert.Equal(["fire_terrain", "weather_results"], third.Arrived);
    }

    [Fact]
    public void Its_timeout_fires_it_with_what_arrived_but_not_before_it_is_due()
    {
        Keep(Run("fire_hotspot", Start), timeout: TimeSpan.FromMinutes(10));
        var timeout = JoinTimeout.Message(Incident, "inputs");

        var early = Keep(new RunJoins(_stored, Queue, Queue, timeout, Start.AddMinutes(9)), timeout: TimeSpan.FromMinutes(10));
        Assert.False(early.FiresNow);

        var due = Keep(new RunJoins(_stored, Queue, Queue, timeout, Start.AddMinutes(10)), timeout: TimeSpan.FromMinutes(10));
        Assert.True(due.FiresNow);
        Assert.True(due.TimedOut);
        Assert.Equal(["fire_hotspot"], due.Arrived);
        Assert.Equal(["fire_terrain", "weather_results"], due.Missing);
        Assert.Empty(_cancelled);
        Assert.True(JoinTimeout.IsStale(timeout, Queue, Queue, _stored));
    }

    [Fact]
    public void A_message_from_an_originator_it_does_not_expect_is_no_input()
    {
        var join = Keep(Run("client", Start));
        Assert.Empty(join.Arrived);
        Assert.Equal(Inputs, join.Missing);
    }

    [Fact]
    public void A_later_input_of_the_same_originator_replaces_the_earlier_until_it_fires()
    {
        Keep(Run("fire_terrain", Start, new JsonObject { ["version"] = 1 }));
        var join = Keep(Run("fire_terrain", Start.AddMinutes(1), new JsonObject { ["version"] = 2 }));
        Assert.Equal(["fire_terrain"], join.Arrived);
        Assert.Equal(2, join.Inputs["fire_terrain"]["version"]!.GetValue<int>());
    }

    private RunJoins Run(string originator, DateTimeOffset now, JsonObject? body = null) =>
        new(_stored, Queue, originator, body ?? new JsonObject(), now);

    private IJoin Join(RunJoins run, IReadOnlyCollection<string> expect, TimeSpan? timeout = null, int? needed = null) =>
        run.Join("inputs", expect, timeout, needed,
            (at, _) =>
            {
                var id = $"timeout-{_scheduled.Count}";
                _scheduled.Add((at, id));
                return id;
            },
            _cancelled.Add, Incident);

    /// <summary>Runs the join as a handler run would, and keeps what it changed, as a successful run's journal entry does.</summary>
    private IJoin Keep(RunJoins run, TimeSpan? timeout = null, int? needed = null)
    {
        var join = Join(run, Inputs, timeout, needed);
        JoinRecord.ApplyAll(_stored, run.Events.Select(JoinRecord.Serialize).Select(JoinRecord.Deserialize));
        return join;
    }
}
