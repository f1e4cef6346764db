using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Time;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// Purges the working data of one finished incident: its simulations' records, the data its machines fetched, its
/// handlers' stored data and its timers, then tells the incident it was purged. Run from outside the incident grain, so that the incident never
/// waits for a grain (a handler) that may itself be waiting to be admitted by it.
/// </summary>
internal sealed class IncidentPurge(IGrainFactory grains, HandlerRegistry handlers)
{
    /// <summary>False when the incident is not finished, was purged already, or has a simulation whose job has not ended yet.</summary>
    public async Task<bool> PurgeAsync(Guid incidentId)
    {
        var incident = grains.GetGrain<IIncidentBookkeeping>(incidentId);
        if (await incident.WorkingData() is not { } data)
            return false;
        foreach (var simulation in data.Simulations)
            if (!await grains.GetGrain<ISimulationGrain>(simulation).Forget())
                return false; // its job has not ended yet: a later purge takes it
        if (!await grains.GetGrain<Simulations.Data.IIncidentDataGrain>(incidentId).Forget())
            return false; // its data is still staged, or a machine is away: a later purge takes it
        foreach (var queue in data.Queues.Where(handlers.IsRegistered))
            await handlers.Resolve(grains, incidentId, queue).PurgeIncidentData();
        if (data.HasTimers)
            await grains.GetGrain<IIncidentTimersGrain>(incidentId).Forget();
        await incident.WorkingDataPurged();
        return true;
    }
}

/// <summary>What a finished incident holds beside its records: the handlers that ran for it, its simulations, whether it has timers.</summary>
[GenerateSerializer, Immutable]
internal sealed record IncidentWorkingData(
    [property: Id(0)] IReadOnlyList<string> Queues,
    [property: Id(1)] IReadOnlyList<Guid> Simulations,
    [property: Id(2)] bool HasTimers);
