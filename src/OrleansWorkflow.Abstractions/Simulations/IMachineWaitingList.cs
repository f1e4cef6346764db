namespace OrleansWorkflow.Simulations;

/// <summary>
/// The simulations a machine's limits hold back in the engine (Hpc:Machines:&lt;name&gt;: MaxQueuedJobs,
/// MaxRunningJobs, SubmissionsPerMinute), keyed by the machine's name.
/// </summary>
public interface IMachineWaitingList : IGrainWithStringKey
{
    /// <summary>The waiting simulations in the order they will be submitted (the most urgent, then the oldest, first), as of the machine's last poll.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<SimulationInfo>> GetWaiting();
}
