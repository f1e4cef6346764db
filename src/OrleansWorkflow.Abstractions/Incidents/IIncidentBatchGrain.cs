namespace OrleansWorkflow.Incidents;

/// <summary>One incident of a batch: the IncidentID its caller chose, and what <see cref="IIncidentGrain.Create"/> takes.</summary>
[GenerateSerializer, Immutable]
public sealed record NewIncident(
    [property: Id(0)] Guid IncidentId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Kind,
    [property: Id(3)] DateTimeOffset IncidentDate,
    [property: Id(4)] IncidentTerms? Terms = null);

/// <summary>
/// Creates incidents in bulk (a flood of routine incidents, a drill), in one call from the client: the silo creates
/// them side by side, and their writes share the database's transactions. Key 0; any silo serves it.
/// </summary>
public interface IIncidentBatchGrain : IGrainWithIntegerKey
{
    /// <summary>The most incidents one call creates.</summary>
    public const int MaxIncidents = 1000;

    /// <summary>
    /// Creates every incident under its IncidentID, as <see cref="IIncidentGrain.Create"/> does each: creating one again
    /// with the same name and kind changes nothing, so a batch that failed part-way may be sent again whole. Every
    /// incident is checked before any is created.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task CreateMany(IReadOnlyList<NewIncident> incidents);
}
