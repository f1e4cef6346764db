using OrleansWorkflow.Handlers;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Simulations.Data;

/// <summary>A handler's view of its incident's data (<see cref="IHandlerContext.Data"/>): registrations are effects, kept only when the handler returns.</summary>
internal sealed class HandlerData(Guid incidentId, List<OutboxEntry> effects, IGrainFactory grains, HpcMachines machines, CancellationToken cancellationToken) : IIncidentData
{
    private IIncidentDataGrain Grain => grains.GetGrain<IIncidentDataGrain>(incidentId);

    public void Fetch(string name, Uri url, string machine, string? sha256 = null, string? notifyQueue = null)
    {
        DataItem.ValidateName(name);
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"Data {name}: fetch an absolute http or https URL, not \"{url}\".", nameof(url));
        if (sha256 is not null && (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit)))
            throw new ArgumentException($"Data {name}: the expected SHA-256 \"{sha256}\" is not 64 hex digits.", nameof(sha256));
        Register(new DataRegistration(name, Configured(machine), url, null, null, sha256?.ToLowerInvariant(), notifyQueue));
    }

    public void Keep(SimulationEnd simulation, string fileName, string name, string? notifyQueue = null)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        DataItem.ValidateName(name);
        JobFiles.ThrowIfNotInside(fileName);
        Register(new DataRegistration(name, Configured(simulation.Machine), null, simulation.SimulationId, fileName, null, notifyQueue));
    }

    public void Copy(string name, string machine, string copyName, string? notifyQueue = null)
    {
        DataItem.ValidateName(name);
        DataItem.ValidateName(copyName);
        if (name == copyName)
            throw new ArgumentException($"Data {name}: give its copy a name of its own (data names are the incident's, whatever the machine).", nameof(copyName));
        Register(new DataRegistration(copyName, Configured(machine), null, null, null, null, notifyQueue, CopyOf: name));
    }

    private string Configured(string machine)
    {
        machines.Require(machine);
        return machine;
    }

    private void Register(DataRegistration registration)
    {
        if (registration.NotifyQueue is { } queue)
            Wire.WireContract.ValidateQueueName(queue);
        effects.Add(new OutboxEntry { Kind = OutboxKind.RegisterData, Data = registration });
    }

    public Task<IReadOnlyList<DataItem>> ListAsync() => Grain.List();

    public async Task<Stream> OpenReadAsync(string name)
    {
        var item = await Grain.Get(name) ?? throw new ArgumentException($"Incident {incidentId} has no data named \"{name}\".", nameof(name));
        if (item.Status != DataStatus.Ready)
            throw new InvalidOperationException($"Data {name} of incident {incidentId} is {item.Status}{(item.Detail is null ? "" : $" ({item.Detail})")}; read it once it is ready (its notify queue hears so).");
        return new ChecksumStream(await machines.Get(item.Machine).OpenReadAsync(item.Path, cancellationToken), item);
    }
}
