using System.Text.Json.Nodes;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Faults;

/// <summary>
/// Fire incidents that keep arriving, one every <see cref="Interval"/>, until the test stops the feed: whenever a fault
/// strikes while the feed runs, the engine has incidents half done, however long the fault took to cause (a fixed
/// load may be finished by then). A publish the fault breaks is retried with the same MessageIDs, as a client should.
/// </summary>
public sealed class FireFeed : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>A bound that keeps a fault that never ends from feeding the engine forever.</summary>
    public const int MaxIncidents = 600;

    private readonly WorkflowClient _client;
    private readonly List<(Guid Id, DateTimeOffset Fed)> _incidents = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _feeding;
    private int _publishRetries;

    private FireFeed(WorkflowClient client)
    {
        _client = client;
        _feeding = Task.Run(FeedAsync);
    }

    /// <summary>Starts feeding, and returns once <paramref name="first"/> incidents have been fed.</summary>
    public static async Task<FireFeed> StartAsync(WorkflowClient client, int first)
    {
        var feed = new FireFeed(client);
        while (feed.Incidents.Count < first)
        {
            if (feed._feeding.IsCompleted)
                await feed._feeding;
            await Task.Delay(Interval);
        }
        return feed;
    }

    /// <summary>Every incident created so far.</summary>
    public IReadOnlyList<Guid> Incidents
    {
        get { lock (_incidents) return [.. _incidents.Select(i => i.Id)]; }
    }

    /// <summary>How often a publish failed and was retried.</summary>
    public int PublishRetries => Volatile.Read(ref _publishRetries);

    /// <summary>How many incidents fed before <paramref name="time"/> are not finished now.</summary>
    public async Task<int> UnfinishedOfThoseFedBeforeAsync(DateTimeOffset time)
    {
        List<Guid> before;
        lock (_incidents)
            before = [.. _incidents.Where(i => i.Fed < time).Select(i => i.Id)];
        var infos = await Task.WhenAll(before.Select(_client.GetIncident));
        return infos.Count(i => !i.Status.IsFinished());
    }

    /// <summary>Stops feeding and returns every incident fed.</summary>
    public async Task<IReadOnlyList<Guid>> StopAsync()
    {
        await _stop.CancelAsync();
        await _feeding;
        if (Incidents.Count >= MaxIncidents)
            Assert.Fail($"the feed reached its bound of {MaxIncidents} incidents before the test stopped it");
        return Incidents;
    }

    private async Task FeedAsync()
    {
        for (var i = 0; !_stop.IsCancellationRequested && i < MaxIncidents; i++)
        {
            var incident = await _client.CreateIncident($"fire {i}", "FIRE");
            foreach (var queue in FireWorkflow.Entry)
                await _client.Send(queue, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString(), ["data"] = "some data" });
            await FlushUntilPublishedAsync();
            lock (_incidents)
                _incidents.Add((incident, DateTimeOffset.UtcNow));
            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task FlushUntilPublishedAsync()
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            try
            {
                await _client.FlushMessages();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < giveUp)
            {
                // The failed batch stays queued in the client with its MessageIDs: publishing it again may repeat a
                // message the broker had, which the engine must recognise.
                Interlocked.Increment(ref _publishRetries);
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _feeding;
        }
        catch (Exception)
        {
            // Already reported by StopAsync or StartAsync when the test reached them.
        }
        _stop.Dispose();
    }
}
