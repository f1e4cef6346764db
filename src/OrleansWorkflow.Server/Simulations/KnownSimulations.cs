namespace OrleansWorkflow.Simulations;

/// <summary>The engine's record of a SimulationID a workflow holds: a simulation on one machine (an ensemble's member among them), a FirstToStart race, or an ensemble.</summary>
internal static class KnownSimulations
{
    public static async Task<SimulationInfo?> FindAsync(IGrainFactory grains, Guid simulationId) =>
        await grains.GetGrain<ISimulationGrain>(simulationId).GetInfo() ?? await grains.GetGrain<ISimulationRaceGrain>(simulationId).GetInfo()
            ?? await grains.GetGrain<IEnsembleGrain>(simulationId).GetInfo();
}
