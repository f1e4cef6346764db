namespace OrleansWorkflow.Simulations;

/// <summary>
/// One per machine (keyed by its name): keeps the machine's unfinished simulations and, woken by a durable
/// reminder every PollPeriod, submits the ones not yet submitted and asks the scheduler about all others in one command.
/// </summary>
[Access.EngineOnly]
internal interface IMachinePollerGrain : IGrainWithStringKey
{
    /// <summary>Records the simulation and follows it until it ends. Repeating the call changes nothing.</summary>
    /// <remarks>With <paramref name="raceId"/>, the simulation is a candidate of that FirstToStart race.</remarks>
    Task Track(Guid simulationId, Guid incidentId, SimulationRequest request, Guid? raceId = null);

    /// <summary>As <see cref="Track"/>, for each member of ensemble <paramref name="ensembleId"/> (<see cref="IEnsembleGrain.Create"/> said whether they run <paramref name="inArray"/>).</summary>
    Task TrackMembers(Guid ensembleId, Guid incidentId, EnsembleRequest request, bool inArray);

    Task<IReadOnlyList<Guid>> GetTracked();
}
