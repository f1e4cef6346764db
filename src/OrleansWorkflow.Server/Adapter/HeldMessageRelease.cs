using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansWorkflow.Adapter;

/// <summary>Looks every few seconds whether a silo that runs a held message's workflow version is up, and releases it.</summary>
internal sealed class HeldMessageRelease(HeldMessages held, TimeProvider clock, ILogger<HeldMessageRelease> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await held.ReleaseAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Held messages stay in the table; the next round tries again.
                logger.LogWarning("Could not release held messages yet: {Error}", e.Message);
            }
        }
    }
}
