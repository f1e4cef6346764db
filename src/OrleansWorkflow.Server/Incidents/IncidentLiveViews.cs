using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// An incident's live views (the incident page, owf watch, the HTTP event stream): while one watches, each change is
/// published on the incident's stream without holding up the incident; nobody watching costs nothing.
/// </summary>
internal sealed class IncidentLiveViews(IGrainBase grain, Guid incidentId, Func<IAsyncStream<IncidentEvent>> stream, TimeProvider clock, ILogger logger)
{
    /// <summary>The longest a view is watched for on one ask (it asks again while it is open).</summary>
    private static readonly TimeSpan LongestWatch = TimeSpan.FromMinutes(10);
    private IAsyncStream<IncidentEvent>? _events;
    private IGrainTimer? _leaving;

    /// <summary>Until when someone watches.</summary>
    public DateTimeOffset WatchedUntil { get; private set; }

    /// <summary>Someone watches for <paramref name="duration"/> (at most 10 minutes) from now.</summary>
    public void Watch(TimeSpan duration)
    {
        var until = clock.GetUtcNow() + TimeSpan.FromTicks(Math.Min(duration.Ticks, LongestWatch.Ticks));
        if (until > WatchedUntil)
            WatchedUntil = until;
    }

    /// <summary>Deactivates the (finished) incident after <paramref name="idle"/>, or once nobody watches it live any more.</summary>
    public void LeaveAfter(TimeSpan idle)
    {
        _leaving?.Dispose();
        _leaving = grain.RegisterGrainTimer(() =>
        {
            var watched = WatchedUntil - clock.GetUtcNow();
            if (watched > TimeSpan.Zero)
                LeaveAfter(watched);
            else
                grain.DeactivateOnIdle();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions { DueTime = idle, Period = Timeout.InfiniteTimeSpan, Interleave = true });
    }

    /// <summary>Tells the views what changed, while one watches.</summary>
    public void Publish(IncidentStatus status, IncidentEventKind kind, string? queue = null, string? messageId = null, string? detail = null)
    {
        var now = clock.GetUtcNow();
        if (now > WatchedUntil)
            return;
        _events ??= stream();
        var publishing = _events.OnNextAsync(new IncidentEvent(incidentId, kind, status, now, queue, messageId, detail));
        if (!publishing.IsCompleted)
            _ = ObserveAsync(publishing);
    }

    private async Task ObserveAsync(Task publishing)
    {
        try
        {
            await publishing;
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "An event of incident {IncidentId} did not reach its live views", incidentId);
        }
    }
}
