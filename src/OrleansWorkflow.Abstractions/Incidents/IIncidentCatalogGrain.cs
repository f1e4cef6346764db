namespace OrleansWorkflow.Incidents;

/// <summary>Which incidents to list: all when a filter is null, newest first, at most <see cref="Limit"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record IncidentQuery(
    [property: Id(0)] IncidentStatus? Status = null,
    [property: Id(1)] string? Kind = null,
    [property: Id(2)] int Limit = 100,
    [property: Id(3)] int? WorkflowVersion = null)
{
    /// <summary>The most incidents one query returns.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Throws, saying what to ask for instead, when the query cannot be answered.</summary>
    public void Validate()
    {
        if (Limit is < 1 or > MaxLimit)
            throw new ArgumentException($"limit is {Limit}; ask for 1 to {MaxLimit} incidents.");
        if (Status is { } status && (status == IncidentStatus.None || !Enum.IsDefined(status)))
            throw new ArgumentException($"status {status} is not an incident status; use Pending, Active, Completed, Cancelled or Error.");
        if (WorkflowVersion is < 1)
            throw new ArgumentException($"workflow version {WorkflowVersion} is no workflow version; versions start at 1.");
    }
}

/// <summary>The cluster's list of incidents (kept in PostgreSQL by the incident grains), for listing and filtering.</summary>
public interface IIncidentCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>The incidents <paramref name="query"/> asks for, newest first.</summary>
    Task<IReadOnlyList<IncidentInfo>> List(IncidentQuery query);
}
