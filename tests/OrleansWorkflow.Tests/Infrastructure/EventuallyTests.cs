using System.Diagnostics;

namespace OrleansWorkflow.Tests.Infrastructure;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class EventuallyTests
{
    [Fact]
    public async Task Time_that_does_not_count_lets_a_wait_outlast_its_timeout_by_that_much()
    {
        var clock = Stopwatch.StartNew();
        // An outage under way for the whole wait: every moment of it is excused.
        Func<TimeSpan> outage = () => clock.Elapsed;

        var waited = await Eventually.UntilAsync(() => Task.FromResult(clock.Elapsed), e => e > TimeSpan.FromMilliseconds(600),
            TimeSpan.FromMilliseconds(100), "the outage to pass", uncounted: outage);

        Assert.True(waited > TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public async Task Without_time_that_does_not_count_a_wait_gives_up_at_its_timeout_and_says_what_it_waited_for()
    {
        var clock = Stopwatch.StartNew();

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.UntilAsync(() => Task.FromResult(clock.Elapsed),
            e => e > TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), "thirty seconds"));

        // Thrown at all, it gave up: waited thirty seconds, the condition would have held.
        Assert.StartsWith("Gave up waiting for thirty seconds after 0.1 s; last value:", timeout.Message);
    }

    [Fact]
    public async Task A_wait_that_gives_up_says_how_much_time_it_did_not_count()
    {
        var clock = Stopwatch.StartNew();
        // Excused only for its first two seconds, like an outage that ended.
        Func<TimeSpan> outage = () => clock.Elapsed < TimeSpan.FromSeconds(2) ? clock.Elapsed : TimeSpan.FromSeconds(2);

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.UntilAsync(() => Task.FromResult(false), done => done,
            TimeSpan.FromMilliseconds(100), "nothing", uncounted: outage));

        Assert.Contains("(2 s more were not counted)", timeout.Message);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.1));
    }

    [Fact]
    public async Task A_wait_that_gives_up_on_a_list_shows_the_lists_items()
    {
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.UntilAsync(() => Task.FromResult<IReadOnlyList<string>>(["QUEUED", "RUNNING"]),
            told => told.Count >= 3, TimeSpan.FromMilliseconds(50), "the three notices"));

        Assert.EndsWith("last value: [QUEUED, RUNNING]", timeout.Message);
    }
}
