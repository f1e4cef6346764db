using OrleansWorkflow.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansWorkflow.Incidents;

/// <summary>One per cluster (key 0), so purges never overlap: the incidents come from the catalog, a batch at a time.</summary>
internal sealed class RetentionGrain(IIncidentCatalog catalog, IncidentPurge purge, [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock, ILogger<RetentionGrain> logger) : Grain, IRetentionGrain
{
    private const int Batch = 200;

    /// <summary>No batch starts after this, so one call stays well inside Orleans' call timeout; the next call goes on.</summary>
    private static readonly TimeSpan WorkPerCall = TimeSpan.FromSeconds(15);

    public async Task<int> PurgeFinished(TimeSpan olderThan)
    {
        if (olderThan < TimeSpan.Zero)
            throw new ArgumentException($"olderThan is {olderThan}; give 0 (every finished incident) or more.");
        var finishedBefore = clock.GetUtcNow() - olderThan;
        var purged = 0;
        var started = clock.GetTimestamp();
        while (clock.GetElapsedTime(started) < WorkPerCall)
        {
            var incidents = await catalog.UnpurgedFinishedAsync(finishedBefore, Batch);
            var done = 0;
            foreach (var incident in incidents)
                if (await purge.PurgeAsync(incident))
                    done++;
            purged += done;
            // A batch that purged nothing holds only incidents that cannot be purged yet (a job still being cancelled).
            if (incidents.Count < Batch || done == 0)
                break;
        }
        if (purged > 0)
            logger.LogInformation("Purged the working data of {Count} incidents finished before {Before:u}; their records and graphs are kept", purged, finishedBefore);
        return purged;
    }
}
