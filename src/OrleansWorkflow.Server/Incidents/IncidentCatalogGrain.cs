using Orleans.Concurrency;

namespace OrleansWorkflow.Incidents;

/// <summary>Answers list queries from the incident catalog, on whichever silo the caller is near.</summary>
[StatelessWorker]
internal sealed class IncidentCatalogGrain(IIncidentCatalog catalog) : Grain, IIncidentCatalogGrain
{
    public Task<IReadOnlyList<IncidentInfo>> List(IncidentQuery query) => catalog.ListAsync(query);
}
