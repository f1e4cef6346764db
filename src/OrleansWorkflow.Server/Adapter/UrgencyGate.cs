using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Lets more urgent work overtake less urgent work in this silo: a delivery waits before its grain call while a more
/// urgent delivery is being handled, or ended less than <see cref="Linger"/> ago (the next step of that incident is on
/// its way). Urgent and emergency messages have queues and consumers of their own, so they never wait behind routine
/// ones in the broker; this gate keeps routine ones from taking the silo's threads and database meanwhile. A delivery
/// waits at most <see cref="LongestHold"/>, so routine work slows under a stream of emergencies but never stops.
/// </summary>
internal sealed class UrgencyGate(TimeProvider clock)
{
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan LongestHold = TimeSpan.FromSeconds(30);
    /// <summary>How often a held delivery looks again: held ones are many while an emergency runs, so not too often.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

    private readonly int[] _inFlight = new int[3];
    private readonly long[] _lastEnded = new long[3];

    /// <summary>Waits until nothing more urgent is under way, then counts the delivery in until it is disposed.</summary>
    public async ValueTask<Admission> EnterAsync(IncidentUrgency urgency, CancellationToken cancellationToken)
    {
        var level = (int)urgency;
        var started = clock.GetTimestamp();
        while (MoreUrgentUnderWay(level) && clock.GetElapsedTime(started) < LongestHold)
            await Task.Delay(Poll, clock, cancellationToken);
        Interlocked.Increment(ref _inFlight[level]);
        return new Admission(this, level);
    }

    /// <summary>Whether work more urgent than <paramref name="level"/> is being handled or just was.</summary>
    private bool MoreUrgentUnderWay(int level)
    {
        var now = clock.GetUtcNow().UtcTicks;
        for (var more = level + 1; more < _inFlight.Length; more++)
            if (Volatile.Read(ref _inFlight[more]) > 0 || now - Volatile.Read(ref _lastEnded[more]) < Linger.Ticks)
                return true;
        return false;
    }

    private void Leave(int level)
    {
        Volatile.Write(ref _lastEnded[level], clock.GetUtcNow().UtcTicks);
        Interlocked.Decrement(ref _inFlight[level]);
    }

    public readonly struct Admission(UrgencyGate gate, int level) : IDisposable
    {
        public void Dispose() => gate.Leave(level);
    }
}
