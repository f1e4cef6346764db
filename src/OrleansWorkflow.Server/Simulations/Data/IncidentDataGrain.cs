using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Simulations.Data;

[GenerateSerializer]
internal sealed class IncidentDataState
{
    [Id(0)] public Dictionary<string, DataRegistration> Registrations { get; set; } = [];
    [Id(1)] public Dictionary<string, DataItem> Items { get; set; } = [];
}

/// <summary>
/// Keeps an incident's data: starts each staging on its machine (detached there, so a long fetch outlives any call),
/// asks after the pending ones at every tick of a durable reminder (the machine's PollPeriod), and tells the
/// registration's notify queue once when one is ready or failed.
/// </summary>
internal sealed class IncidentDataGrain(
    [PersistentState(WorkflowStorage.IncidentDataState, WorkflowStorage.Name)] IPersistentState<IncidentDataState> state,
    HpcMachines machines,
    IMessagePublisher publisher,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock,
    ILogger<IncidentDataGrain> logger) : Grain, IIncidentDataGrain, IIncidentDataList, IRemindable
{
    private const string StageReminder = "stage";
    private Guid IncidentId => this.GetPrimaryKey();

    public async Task Register(DataRegistration registration)
    {
        // A registration that cannot be had is logged (and, for a bad job file, recorded as failed), never thrown:
        // the handler's other effects must not wait behind it.
        if (state.State.Registrations.TryGetValue(registration.Name, out var existing))
        {
            if (existing != registration)
                logger.LogError("Incident {IncidentId}: data {Data} is registered already from {Source} on {Machine}; the registration from {Other} is ignored (give it another name)",
                    IncidentId, registration.Name, existing.Source, existing.Machine, registration.Source);
            return;
        }
        var machine = machines.Get(registration.Machine);
        var (path, refused) = await PathOfAsync(registration, machine);
        state.State.Registrations[registration.Name] = registration;
        state.State.Items[registration.Name] = new DataItem
        {
            Name = registration.Name, IncidentId = IncidentId, Machine = machine.Name, Path = path, Source = registration.Source, RegisteredAt = clock.GetUtcNow(),
            NotifyQueue = registration.NotifyQueue, Status = refused is null ? DataStatus.Pending : DataStatus.Failed, Detail = refused, EndedAt = refused is null ? null : clock.GetUtcNow(),
        };
        await state.WriteStateAsync();
        if (refused is not null)
        {
            logger.LogWarning("Incident {IncidentId}: data {Data} FAILED: {Why}", IncidentId, registration.Name, refused);
            await NotifyAsync(state.State.Items[registration.Name]);
            return;
        }
        logger.LogInformation("Incident {IncidentId}: data {Data} registered on machine {Machine} from {Source}", IncidentId, registration.Name, machine.Name, registration.Source);
        var period = machine.Options.PollPeriod;
        await this.RegisterOrUpdateReminder(StageReminder, TimeSpan.Zero, period);
        await StartAsync(registration);
    }

    public async Task<string> BeginUpload(string name, string machine, string by)
    {
        DataItem.ValidateName(name);
        if (state.State.Items.TryGetValue(name, out var existing))
            throw new InvalidOperationException($"Incident {IncidentId} has data \"{name}\" already ({existing.Status}, from {existing.Source}); upload under another name.");
        var target = machines.Get(machine);
        var registration = new DataRegistration(name, target.Name, null, null, null, null, null, by);
        state.State.Registrations[name] = registration;
        state.State.Items[name] = new DataItem
        {
            Name = name, IncidentId = IncidentId, Machine = target.Name, Path = $"{target.DataDirectoryOf(IncidentId)}/{name}", Source = registration.Source,
            RegisteredAt = clock.GetUtcNow(), Status = DataStatus.Pending, Detail = "uploading",
        };
        await state.WriteStateAsync();
        logger.LogInformation("Incident {IncidentId}: data {Data} being uploaded to {Machine} by {By}", IncidentId, name, target.Name, by);
        return state.State.Items[name].Path;
    }

    public async Task EndUpload(string name, string sha256)
    {
        var registration = state.State.Registrations[name] with { Sha256 = sha256 };
        state.State.Registrations[name] = registration;
        state.State.Items[name] = state.State.Items[name] with { Detail = null };
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(StageReminder, TimeSpan.Zero, machines.Get(registration.Machine).Options.PollPeriod);
        await StartAsync(registration);
    }

    public async Task FailUpload(string name, string why)
    {
        if (state.State.Items.GetValueOrDefault(name) is not { Status: DataStatus.Pending } item)
            return;
        state.State.Items[name] = item with { Status = DataStatus.Failed, Detail = $"the upload broke off: {why}", EndedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        logger.LogWarning("Incident {IncidentId}: the upload of data {Data} broke off: {Why}", IncidentId, name, why);
    }

    public Task<DataItem?> Get(string name) => Task.FromResult(state.State.Items.GetValueOrDefault(name));

    public Task<IReadOnlyList<DataItem>> GetData() => List();

    public Task<IReadOnlyList<DataItem>> List() => Task.FromResult<IReadOnlyList<DataItem>>([.. state.State.Items.Values.OrderBy(i => i.Name, StringComparer.Ordinal)]);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        foreach (var name in state.State.Items.Where(i => i.Value.Status == DataStatus.Pending).Select(i => i.Key).ToList())
            await ProbeAsync(name);
        if (state.State.Items.Values.All(i => i.Status != DataStatus.Pending) && await this.GetReminder(StageReminder) is { } reminder)
            await this.UnregisterReminder(reminder);
    }

    /// <summary>A fetch or a copy goes to the incident's data directory; a kept file stays where its job wrote it. Else why it cannot be had.</summary>
    private async Task<(string Path, string? Refused)> PathOfAsync(DataRegistration registration, Machine machine)
    {
        if (registration.CopyOf is { } original)
            return state.State.Items.ContainsKey(original)
                ? ($"{machine.DataDirectoryOf(IncidentId)}/{registration.Name}", null)
                : ("", $"incident {IncidentId} has no data named \"{original}\" to copy");
        if (registration.Url is not null)
            return ($"{machine.DataDirectoryOf(IncidentId)}/{registration.Name}", null);
        var job = await GrainFactory.GetGrain<ISimulationGrain>(registration.SimulationId!.Value).GetInfo();
        if (job is null || job.IncidentId != IncidentId || job.Machine != machine.Name)
            return ("", $"simulation {registration.SimulationId} is none of incident {IncidentId}'s jobs on {machine.Name}: only a file of the incident's own ended job is kept as its data");
        if (!job.Status.IsFinished())
            return ("", $"simulation {registration.SimulationId} has not ended (the engine knows it {job.Status}); keep its files once it has");
        return ($"{job.WorkingDirectory}/{registration.FileName}", null);
    }

    public async Task<bool> Forget()
    {
        if (state.State.Items.Values.Any(i => i.Status == DataStatus.Pending && !state.State.Registrations[i.Name].BeingUploaded))
            return false;
        foreach (var machine in state.State.Registrations.Values.Where(r => r.Url is not null || r.UploadedBy is not null || r.CopyOf is not null).Select(r => r.Machine).Distinct())
        {
            try
            {
                await machines.Get(machine).DeleteDataAsync(IncidentId, CancellationToken.None);
            }
            catch (Exception e) when (e is MachineUnreachableException or InvalidOperationException)
            {
                logger.LogWarning("Incident {IncidentId}: its data on {Machine} is not deleted yet, retrying at the next purge: {Error}", IncidentId, machine, e.Message);
                return false;
            }
        }
        await state.ClearStateAsync();
        if (await this.GetReminder(StageReminder) is { } reminder)
            await this.UnregisterReminder(reminder);
        DeactivateOnIdle();
        return true;
    }

    private async Task StartAsync(DataRegistration registration)
    {
        if (registration.CopyOf is not null && registration.Sha256 is null)
        {
            StartCopy(registration);
            return;
        }
        var item = state.State.Items[registration.Name];
        var machine = machines.Get(item.Machine);
        // A fetch fetches, then hashes; an upload or a job's file is hashed where it lies, inside its directory.
        var script = registration.Url is { } url
            ? DataStaging.FetchScript(registration.Name, url, item.Path)
            : DataStaging.KeepScript(registration.Name, item.Path, item.Path[..item.Path.LastIndexOf('/')]);
        try
        {
            await machine.StartStagingAsync(machine.DataDirectoryOf(IncidentId), registration.Name, script, CancellationToken.None);
        }
        catch (Exception e) when (e is MachineUnreachableException or InvalidOperationException)
        {
            logger.LogWarning("Incident {IncidentId}: data {Data} not staged yet on {Machine}, retrying at the next tick: {Error}", IncidentId, registration.Name, machine.Name, e.Message);
        }
    }

    /// <summary>Copies streamed by this activation now, by the copy's name (a copy a crash broke off starts again at the next tick).</summary>
    private readonly HashSet<string> _copying = [];

    /// <summary>Streams the original onto the copy's machine once it is ready (its SHA-256 checked as it is read), then has that machine hash the copy.</summary>
    private void StartCopy(DataRegistration registration)
    {
        var original = state.State.Items[registration.CopyOf!];
        if (original.Status == DataStatus.Failed)
        {
            _ = FailCopyAsync(registration.Name, $"its original {original.Name} failed ({original.Detail})");
            return;
        }
        if (original.Status != DataStatus.Ready || !_copying.Add(registration.Name))
            return;
        _ = CopyAsync(registration, original);
    }

    /// <summary>
    /// Streams the copy outside any call (it may outlast a call's time limit); what it found is recorded through a
    /// call to this grain, so the state has one writer at a time.
    /// </summary>
    private async Task CopyAsync(DataRegistration registration, DataItem original)
    {
        var copy = state.State.Items[registration.Name];
        string? failure = null;
        try
        {
            await using (var from = new ChecksumStream(await machines.Get(original.Machine).OpenReadAsync(original.Path, CancellationToken.None), original))
            await using (var to = await machines.Get(copy.Machine).OpenWriteAsync(copy.Path, CancellationToken.None))
                await from.CopyToAsync(to);
            logger.LogInformation("Incident {IncidentId}: data {Data} copied from {Machine} onto {Target} as {Copy}", IncidentId, original.Name, original.Machine, copy.Machine, copy.Name);
        }
        catch (InvalidDataException e)
        {
            failure = e.Message;
        }
        catch (Exception e) when (e is MachineUnreachableException or InvalidOperationException or IOException)
        {
            logger.LogWarning("Incident {IncidentId}: copying data {Data} onto {Target} broke off, starting again at the next tick: {Error}", IncidentId, original.Name, copy.Machine, e.Message);
            _copying.Remove(registration.Name);
            return;
        }
        try
        {
            await GrainFactory.GetGrain<IIncidentDataGrain>(IncidentId).CopyStreamed(registration.Name, original.Sha256!, failure);
        }
        finally
        {
            _copying.Remove(registration.Name);
        }
    }

    public async Task CopyStreamed(string name, string sha256, string? failure)
    {
        if (failure is not null)
        {
            await FailCopyAsync(name, failure);
            return;
        }
        state.State.Registrations[name] = state.State.Registrations[name] with { Sha256 = sha256 };
        await state.WriteStateAsync();
        await StartAsync(state.State.Registrations[name]);
    }

    private async Task FailCopyAsync(string name, string why)
    {
        state.State.Items[name] = state.State.Items[name] with { Status = DataStatus.Failed, Detail = why, EndedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        logger.LogWarning("Incident {IncidentId}: data {Data} FAILED: {Why}", IncidentId, name, why);
        await NotifyAsync(state.State.Items[name]);
    }

    private async Task ProbeAsync(string name)
    {
        var item = state.State.Items[name];
        var registration = state.State.Registrations[name];
        // A copy not streamed yet has no staging on its machine: it starts (again) once its original is ready.
        if (registration.CopyOf is not null && registration.Sha256 is null)
        {
            StartCopy(registration);
            return;
        }
        var machine = machines.Get(item.Machine);
        DataProbe probe;
        try
        {
            probe = await machine.ProbeStagingAsync(machine.DataDirectoryOf(IncidentId), name, CancellationToken.None);
        }
        catch (MachineUnreachableException e)
        {
            logger.LogDebug("Incident {IncidentId}: data {Data}: machine {Machine} did not answer ({Error})", IncidentId, name, machine.Name, e.Message);
            return;
        }
        if (probe.Gone)
        {
            // An upload being written has no staging yet: EndUpload starts it.
            if (!registration.BeingUploaded)
                await StartAsync(registration);
            return;
        }
        if (probe.Status == DataStatus.Pending)
            return;
        var mismatch = probe.Status == DataStatus.Ready && registration.Sha256 is { } expected && !string.Equals(expected, probe.Sha256, StringComparison.OrdinalIgnoreCase);
        state.State.Items[name] = item with
        {
            Status = mismatch ? DataStatus.Failed : probe.Status,
            Size = probe.Size,
            Sha256 = probe.Sha256,
            EndedAt = clock.GetUtcNow(),
            Detail = mismatch ? $"its SHA-256 is {probe.Sha256}, not the {registration.Sha256} expected" : probe.Detail,
        };
        await state.WriteStateAsync();
        item = state.State.Items[name];
        logger.LogInformation("Incident {IncidentId}: data {Data} on {Machine} is {Status} ({Size} bytes, SHA-256 {Sha256}){Detail}",
            IncidentId, name, item.Machine, item.Status, item.Size, item.Sha256, item.Detail is null ? "" : $": {item.Detail}");
        await NotifyAsync(item);
    }

    /// <summary>Tells the registration's notify queue, under a MessageID fixed for the data: a repeat arrives once.</summary>
    private async Task NotifyAsync(DataItem item)
    {
        if (item.NotifyQueue is not { } queue)
            return;
        var incident = await GrainFactory.GetGrain<IIncidentGrain>(IncidentId).GetInfo();
        if (incident is null || incident.Status.IsFinished())
            return;
        var messageId = MessageIds.Derive(IncidentId.ToString(), "data:" + item.Name, 0);
        await publisher.TellAsync(IncidentId, incident.Urgency, queue, item.Machine, messageId, item.ToMessage());
    }
}
