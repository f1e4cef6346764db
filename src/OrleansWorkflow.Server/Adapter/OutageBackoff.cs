using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// When deliveries fail for reasons outside the handlers (the database or the broker unreachable), every consumer of
/// the silo waits before giving its delivery back, doubling from Workflow:RetryBackoff up to Workflow:MaxBackoff, so
/// an outage neither spins the messages around nor floods the log: it is logged when it starts and when it ends.
/// </summary>
internal sealed class OutageBackoff(WorkflowOptions limits, TimeProvider clock, ILogger logger)
{
    private readonly Lock _lock = new();
    private int _failures;
    private DateTimeOffset? _since;

    /// <summary>Records a failed delivery and returns how long to wait before giving it back.</summary>
    public TimeSpan Failed(string queue, Exception error)
    {
        lock (_lock)
        {
            _failures++;
            if (_since is null)
            {
                _since = clock.GetUtcNow();
                logger.LogWarning("Deliveries are failing (first on {Queue}: {Error}); consumers hold their messages and retry with backoff up to {MaxBackoff} until it recovers",
                    queue, error.GetBaseException().Message, limits.MaxBackoff);
            }
            else
            {
                logger.LogDebug(error, "Delivery on {Queue} failed again ({Failures} since the outage began)", queue, _failures);
            }
            return limits.BackoffBefore(Math.Min(_failures, 30));
        }
    }

    public void Succeeded()
    {
        if (Volatile.Read(ref _failures) == 0)
            return;
        lock (_lock)
        {
            if (_since is { } since)
                logger.LogInformation("Deliveries succeed again after {Seconds:0.0} s of failures ({Failures} attempts retried)",
                    (clock.GetUtcNow() - since).TotalSeconds, _failures);
            _since = null;
            _failures = 0;
        }
    }
}
