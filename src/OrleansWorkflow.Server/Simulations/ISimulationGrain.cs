using Orleans.Concurrency;

namespace OrleansWorkflow.Simulations;

/// <summary>One HPC job, keyed by its SimulationID: submits it, follows what the machine's poller observes, and tells the workflow when it ends.</summary>
[Access.EngineOnly]
internal interface ISimulationGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Records the job (once; a repeated call with the same id returns what is recorded); with <paramref name="raceId"/>,
    /// as a candidate of that race, which decides whether it tells the workflow anything.
    /// </summary>
    Task<SimulationInfo> Create(Guid incidentId, SimulationRequest request, Guid? raceId = null);

    /// <summary>As <see cref="Create"/>, for a member of an ensemble: it reports every transition to its ensemble.</summary>
    Task<SimulationInfo> CreateMember(Guid incidentId, SimulationRequest request, EnsembleMembership ensemble);

    /// <summary>Writes the job's files and submits it, or adopts the job a previous attempt submitted. Throws when the machine cannot be reached.</summary>
    Task<SimulationInfo> EnsureSubmitted();

    /// <summary>Takes what the scheduler said about the job in one poll.</summary>
    Task<SimulationInfo> Observe(JobObservation observation);

    /// <summary>Cancels the job on its scheduler (or, before submission, never submits it).</summary>
    [OneWay]
    Task Cancel(string reason);

    [AlwaysInterleave]
    Task<SimulationInfo?> GetInfo();

    /// <summary>Deletes the record of an ended simulation (retention); false, keeping it, while the job has not ended.</summary>
    Task<bool> Forget();
}
