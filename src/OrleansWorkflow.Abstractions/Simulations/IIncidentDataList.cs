namespace OrleansWorkflow.Simulations;

/// <summary>An incident's data on HPC machines (staged by its handlers, <c>context.Data</c>), keyed by its IncidentID: what operators and clients may read.</summary>
public interface IIncidentDataList : IGrainWithGuidKey
{
    /// <summary>The incident's data, ready or not, by name.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<DataItem>> GetData();
}
