namespace OrleansWorkflow.Simulations.Data;

/// <summary>Where a job's inputs (<see cref="SimulationRequest.Inputs"/>) stand when it is to be submitted.</summary>
internal abstract record DataInputs
{
    /// <summary>Every input is ready on the job's machine: file name in the working directory to the data's path.</summary>
    public sealed record Ready(IReadOnlyDictionary<string, string> Links) : DataInputs;

    /// <summary>An input is still being staged: the job waits.</summary>
    public sealed record Waiting(string Why) : DataInputs;

    /// <summary>An input can never be had (none of the name, another machine's, failed): the job fails without running.</summary>
    public sealed record Refused(string Why) : DataInputs;

    public static readonly Ready None = new(new Dictionary<string, string>());

    public static async Task<DataInputs> ResolveAsync(IGrainFactory grains, Guid incidentId, SimulationRequest request)
    {
        if (request.Inputs.Count == 0)
            return None;
        var data = grains.GetGrain<IIncidentDataGrain>(incidentId);
        var links = new Dictionary<string, string>();
        foreach (var (file, name) in request.Inputs)
        {
            var item = await data.Get(name);
            if (item is null)
                return new Refused($"input {file}: incident {incidentId} has no data named \"{name}\" (register it with context.Data before or with the job)");
            if (item.Machine != request.Machine)
                return new Refused($"input {file}: data {name} is on machine {item.Machine}, not {request.Machine}; fetch it onto {request.Machine} too");
            if (item.Status == DataStatus.Failed)
                return new Refused($"input {file}: data {name} failed ({item.Detail})");
            if (item.Status == DataStatus.Pending)
                return new Waiting($"waiting for data {name} (input {file}) to be staged on {item.Machine}");
            links[file] = item.Path;
        }
        return new Ready(links);
    }
}
