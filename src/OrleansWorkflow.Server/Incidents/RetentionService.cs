using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// Asks the cluster's retention grain, every tenth of Workflow:Retention (at least a second, at most an hour), to
/// purge incidents finished longer than Workflow:Retention ago. Every silo asks; the one grain does the work.
/// </summary>
internal sealed class RetentionService(IGrainFactory grains, IOptions<WorkflowOptions> options, ILogger<RetentionService> logger) : BackgroundService
{
    public static TimeSpan SweepPeriod(TimeSpan retention) =>
        TimeSpan.FromTicks(Math.Clamp(retention.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerHour));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retention = options.Value.Retention;
        if (retention == TimeSpan.Zero)
        {
            logger.LogInformation("Workflow:Retention is 0: finished incidents' working data is kept until owf purge");
            return;
        }
        using var sweeps = new PeriodicTimer(SweepPeriod(retention));
        try
        {
            while (await sweeps.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await grains.GetGrain<IRetentionGrain>(0).PurgeFinished(retention);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Purging finished incidents failed, trying again at the next sweep: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the silo is stopping
        }
    }
}
