namespace OrleansWorkflow.Incidents;

/// <summary>
/// Purges the working data of finished incidents: their handlers' stored data (documents, handled message ids) and
/// their simulations' records. The incident's own record (status, steps, simulations as last seen, dead letters) and
/// its graph stay. Silos run it by themselves after Workflow:Retention; <c>owf purge</c> runs it now. Key 0.
/// </summary>
public interface IRetentionGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Purges incidents that finished (Completed or Cancelled) longer than <paramref name="olderThan"/> ago, not yet
    /// purged, and returns how many were purged. One call works for about 15 seconds at most: call again while it
    /// returns more than 0 to purge a large backlog.
    /// </summary>
    Task<int> PurgeFinished(TimeSpan olderThan);
}
