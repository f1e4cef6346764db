using Orleans.Concurrency;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// Creates a batch of incidents side by side on this silo: each by its own incident grain (the one writer of its
/// records), at most <see cref="InFlight"/> at once, so their catalog rows share the group commit's transactions.
/// </summary>
[StatelessWorker]
internal sealed class IncidentBatchGrain : Grain, IIncidentBatchGrain
{
    /// <summary>Creations under way at once: enough to fill the group commit, few enough to leave the pool to others.</summary>
    internal const int InFlight = 64;

    public async Task CreateMany(IReadOnlyList<NewIncident> incidents)
    {
        Check(incidents);
        await Parallel.ForEachAsync(incidents, new ParallelOptions { MaxDegreeOfParallelism = InFlight, TaskScheduler = TaskScheduler.Current },
            async (incident, _) => await GrainFactory.GetGrain<IIncidentGrain>(incident.IncidentId).Create(incident.Name, incident.Kind, incident.IncidentDate, incident.Terms));
    }

    /// <summary>Refuses the whole batch, naming the first bad incident, before anything is created.</summary>
    internal static void Check(IReadOnlyList<NewIncident> incidents)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        if (incidents.Count is 0 or > IIncidentBatchGrain.MaxIncidents)
            throw new ArgumentException($"A batch creates 1 to {IIncidentBatchGrain.MaxIncidents} incidents ({incidents.Count} given); send more in several batches.");
        var ids = new HashSet<Guid>();
        for (var i = 0; i < incidents.Count; i++)
        {
            var incident = incidents[i] ?? throw new ArgumentException($"Incident {i} of the batch is null.");
            if (string.IsNullOrWhiteSpace(incident.Name) || string.IsNullOrWhiteSpace(incident.Kind))
                throw new ArgumentException($"Incident {i} of the batch needs a name and a kind.");
            if (incident.IncidentId == Guid.Empty || !ids.Add(incident.IncidentId))
                throw new ArgumentException($"Incident {i} of the batch has {(incident.IncidentId == Guid.Empty ? "no IncidentID" : $"the IncidentID {incident.IncidentId} of an earlier one")}; give each its own.");
        }
    }
}
