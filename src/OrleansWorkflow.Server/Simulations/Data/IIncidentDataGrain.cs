namespace OrleansWorkflow.Simulations.Data;

/// <summary>An incident's data (keyed by its IncidentID): the one writer of its records, which stages each file on its machine.</summary>
[Access.EngineOnly]
internal interface IIncidentDataGrain : IGrainWithGuidKey
{
    /// <summary>Records the data and starts staging it on its machine (once; the same registration again changes nothing, another of the name is refused).</summary>
    Task Register(DataRegistration registration);

    /// <summary>
    /// Records data <paramref name="name"/> as being uploaded to <paramref name="machine"/> by <paramref name="by"/> and
    /// returns where on the machine to write it; throws when the incident has data of the name.
    /// </summary>
    Task<string> BeginUpload(string name, string machine, string by);

    /// <summary>The upload of <paramref name="name"/> was written whole, with this SHA-256: the machine hashes it again, and its data is ready once the two agree.</summary>
    Task EndUpload(string name, string sha256);

    /// <summary>The upload of <paramref name="name"/> broke off: its data failed, saying why.</summary>
    Task FailUpload(string name, string why);

    /// <summary>This grain's own copy of data <paramref name="name"/> was streamed (its original's SHA-256), or failed for good: recorded in turn with the grain's other calls.</summary>
    Task CopyStreamed(string name, string sha256, string? failure);

    /// <summary>Data <paramref name="name"/> as recorded (the reminder asks after a pending staging); null when the incident has none of the name.</summary>
    Task<DataItem?> Get(string name);

    /// <summary>The incident's data as recorded, by name.</summary>
    Task<IReadOnlyList<DataItem>> List();

    /// <summary>
    /// Retention: deletes the data the machines fetched (the incident's data directory on each; kept job outputs stay
    /// with their jobs) and the records. False, keeping all, while a staging runs or a machine cannot be reached.
    /// </summary>
    Task<bool> Forget();
}

/// <summary>What a handler registered: a URL its machine fetches, or a file an ended simulation left.</summary>
[GenerateSerializer, Immutable]
internal sealed record DataRegistration(
    [property: Id(0)] string Name,
    [property: Id(1)] string Machine,
    [property: Id(2)] Uri? Url,
    [property: Id(3)] Guid? SimulationId,
    [property: Id(4)] string? FileName,
    [property: Id(5)] string? Sha256,
    [property: Id(6)] string? NotifyQueue,
    [property: Id(7)] string? UploadedBy = null,
    [property: Id(8)] string? CopyOf = null)
{
    /// <summary>An upload not written whole yet: nothing is staged on the machine for it until EndUpload gives its SHA-256.</summary>
    public bool BeingUploaded => UploadedBy is not null && Sha256 is null;

    public string Source => Url is { } url ? url.AbsoluteUri
        : UploadedBy is { } by ? $"uploaded by {by}"
        : CopyOf is { } original ? $"copy of {original}"
        : $"simulation {SimulationId}: {FileName}";
}
