using System.Text;
using System.Text.Json.Nodes;
using OrleansWorkflow.Graph;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Client;

/// <summary>
/// Starts, feeds, completes and cancels incidents from outside the handlers (the original's workflow module as
/// used by example.py). Messages given to <see cref="Send"/> are published by <see cref="FlushMessages"/>. Scripts and tools connect one with
/// <c>WorkflowClient.ConnectAsync</c>, apps with a host of their own register one with <c>AddOrleansWorkflowClient</c>
/// (both in the OrleansWorkflow.Client package); a silo's own services use one on the silo's grains.
/// </summary>
public sealed class WorkflowClient : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IMessagePublisher _publisher;
    private readonly string _originator;
    private readonly List<OutgoingMessage> _pending = [];
    private readonly IAsyncDisposable? _owned;

    /// <summary>A client on grains and a publisher its host already has (inside a silo, or a host of your own); <paramref name="originator"/> is stamped on the messages it sends.</summary>
    public WorkflowClient(IGrainFactory grains, QueuePublisher publisher, string originator = "client")
        : this(grains, publisher, originator, owned: null)
    {
    }

    /// <summary>A client that closes <paramref name="owned"/> (the connections it opened) when disposed.</summary>
    internal WorkflowClient(IGrainFactory grains, IMessagePublisher publisher, string originator, IAsyncDisposable? owned)
    {
        _grains = grains;
        _publisher = publisher;
        _originator = originator;
        _owned = owned;
    }

    /// <summary>The grains this client reaches, for what the client library does not cover (engine-only grains refuse clients).</summary>
    public IGrainFactory Grains => _grains;

    /// <summary>Creates an incident and returns its IncidentID; <paramref name="terms"/> may give it a deadline.</summary>
    public async Task<Guid> CreateIncident(string name, string kind, DateTimeOffset? incidentDate = null, IncidentTerms? terms = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var id = Guid.NewGuid();
        await Incident(id).Create(name, kind, incidentDate ?? DateTimeOffset.UtcNow, terms);
        return id;
    }

    /// <summary>
    /// Creates many incidents (a flood, a drill) and returns their IncidentIDs in the order given: sent to the cluster
    /// in batches of <see cref="IIncidentBatchGrain.MaxIncidents"/>, each created by a silo side by side with the others
    /// of its batch. Every incident is checked before any is created. A batch that fails is sent once more whole (its
    /// IncidentIDs are chosen here, and creating an incident again changes nothing); <paramref name="progress"/> hears
    /// how many are created so far.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> CreateIncidents(IEnumerable<IncidentRequest> incidents, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        var now = DateTimeOffset.UtcNow;
        var all = incidents.Select((incident, i) =>
        {
            if (incident is null || string.IsNullOrWhiteSpace(incident.Name) || string.IsNullOrWhiteSpace(incident.Kind))
                throw new ArgumentException($"Incident {i} needs a name and a kind.", nameof(incidents));
            return new NewIncident(Guid.NewGuid(), incident.Name, incident.Kind, incident.IncidentDate ?? now, incident.Terms);
        }).ToList();
        var batches = _grains.GetGrain<IIncidentBatchGrain>(0);
        var created = 0;
        foreach (var batch in all.Chunk(IIncidentBatchGrain.MaxIncidents))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await batches.CreateMany(batch);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                await batches.CreateMany(batch);
            }
            progress?.Report(created += batch.Length);
        }
        return [.. all.Select(i => i.IncidentId)];
    }

    /// <summary>Queues <paramref name="message"/> for <paramref name="queue"/>; <see cref="FlushMessages"/> publishes it.</summary>
    public async Task Send(string queue, JsonObject message)
    {
        var outgoing = await PrepareAsync(queue, message, _originator);
        lock (_pending)
            _pending.Add(outgoing);
    }

    /// <summary>Publishes <paramref name="message"/> to <paramref name="queue"/> now, on its own, and returns its MessageID.</summary>
    public Task<string> SendNow(string queue, JsonObject message, CancellationToken cancellationToken = default) =>
        SendNow(queue, message, _originator, cancellationToken);

    /// <summary>As <see cref="SendNow(string, JsonObject, CancellationToken)"/>, stamped as sent by <paramref name="originator"/> (a test host standing in for a handler).</summary>
    internal async Task<string> SendNow(string queue, JsonObject message, string originator, CancellationToken cancellationToken)
    {
        var outgoing = await PrepareAsync(queue, message, originator);
        await _publisher.PublishAsync(outgoing, cancellationToken);
        return outgoing.MessageId!;
    }

    /// <summary>Checks the queue name and that the message's incident takes messages, and stamps the message.</summary>
    private async Task<OutgoingMessage> PrepareAsync(string queue, JsonObject message, string originator)
    {
        WireContract.ValidateQueueName(queue);
        var incidentId = WireMessage.IncidentIdOf(message);
        var incident = await GetIncident(incidentId);
        if (incident.Status.IsFinished())
            throw new InvalidOperationException($"Incident {incidentId} is {incident.Status} and takes no more messages; create a new incident for new work.");

        var messageId = MessageIds.New();
        var body = WireMessage.Stamp(message, messageId, originator);
        // A more urgent incident's messages go to the node's queue for its urgency, which the engine drains first.
        return new OutgoingMessage(WireContract.QueueFor(queue, incident.Urgency), Encoding.UTF8.GetBytes(body), messageId, IncidentId: incidentId);
    }

    /// <summary>Publishes every queued message and returns once the broker has them all.</summary>
    public async Task FlushMessages(CancellationToken cancellationToken = default)
    {
        List<OutgoingMessage> batch;
        lock (_pending)
        {
            batch = [.. _pending];
            _pending.Clear();
        }

        try
        {
            await _publisher.PublishAllAsync(batch, cancellationToken);
        }
        catch
        {
            lock (_pending)
                _pending.InsertRange(0, batch);
            throw;
        }
    }

    /// <summary>Marks the incident Completed; it takes no more messages.</summary>
    public Task Complete(Guid incidentId) => Incident(incidentId).Complete();

    /// <summary>Marks the incident Cancelled with <paramref name="reason"/> and cancels its running simulations.</summary>
    public Task Cancel(Guid incidentId, string reason) => Incident(incidentId).Cancel(reason);

    /// <summary>
    /// Purges the working data (handlers' stored data, simulations' records) of incidents finished longer than
    /// <paramref name="olderThan"/> ago, keeping their records and graphs; returns how many were purged.
    /// <paramref name="progress"/> hears the running total after each round of the engine's work.
    /// </summary>
    public async Task<int> PurgeFinished(TimeSpan olderThan, IProgress<int>? progress = null)
    {
        var total = 0;
        for (int purged; (purged = await _grains.GetGrain<IRetentionGrain>(0).PurgeFinished(olderThan)) > 0; )
            progress?.Report(total += purged);
        return total;
    }

    /// <summary>The incident; throws naming the IncidentID when it was never created.</summary>
    public async Task<IncidentInfo> GetIncident(Guid incidentId) =>
        await Incident(incidentId).GetInfo()
        ?? throw new ArgumentException($"Incident {incidentId} was never created; create it with CreateIncident first.", nameof(incidentId));

    /// <summary>Every step of the incident so far, in order of start.</summary>
    public Task<IReadOnlyList<IncidentStep>> GetSteps(Guid incidentId) => Incident(incidentId).GetSteps();

    /// <summary>Incidents, newest first, filtered by status and kind when given.</summary>
    public Task<IReadOnlyList<IncidentInfo>> ListIncidents(IncidentQuery query)
    {
        query.Validate();
        return _grains.GetGrain<IIncidentCatalogGrain>(0).List(query);
    }

    /// <summary>The incident's messages that went to dead-letter queues, with their reasons.</summary>
    public Task<IReadOnlyList<DeadLetterRecord>> GetDeadLetters(Guid incidentId) => Incident(incidentId).GetDeadLetters();

    /// <summary>The cluster's silos and their status (Active, Joining, ShuttingDown, Dead...), as Orleans' membership sees them.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetSilos()
    {
        var hosts = await _grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false);
        return hosts.ToDictionary(h => h.Key.ToString(), h => h.Value.ToString());
    }

    /// <summary>The joins of the incident's handlers: what each waits for, and until when.</summary>
    public Task<IReadOnlyList<JoinInfo>> GetJoins(Guid incidentId) => Incident(incidentId).GetJoins();

    /// <summary>The cluster's HPC machines and their modes.</summary>
    public Task<IReadOnlyList<MachineState>> GetMachines() => _grains.GetGrain<IMachineRegistryGrain>(0).List();

    /// <summary>Sets a machine's mode (Draining, Disabled: no new jobs; Test: only TEST incidents' jobs; Enabled), with the reason.</summary>
    public Task<MachineState> SetMachineMode(string machine, MachineMode mode, string reason) => _grains.GetGrain<IMachineRegistryGrain>(0).SetMode(machine, mode, reason);

    /// <summary>The incident's data on HPC machines (fetched inputs, kept outputs), by name.</summary>
    public Task<IReadOnlyList<DataItem>> GetData(Guid incidentId) => _grains.GetGrain<IIncidentDataList>(incidentId).GetData();

    /// <summary>The cluster's schedules of recurring incidents, with the last due time each fired and the next.</summary>
    public Task<IReadOnlyList<ScheduleInfo>> GetSchedules() => _grains.GetGrain<ISchedulesGrain>(0).List();

    /// <summary>The simulations <paramref name="machine"/>'s limits hold back in the engine, in the order they will be submitted.</summary>
    public Task<IReadOnlyList<SimulationInfo>> GetWaitingSimulations(string machine)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(machine);
        return _grains.GetGrain<IMachineWaitingList>(machine).GetWaiting();
    }

    /// <summary>The incident's HPC simulations (machine, job id, status, exit code), in order of creation.</summary>
    public Task<IReadOnlyList<SimulationInfo>> GetSimulations(Guid incidentId) => Incident(incidentId).GetSimulations();

    /// <summary>The incident's workflow graph as it stands now: drawable while it runs and after it ended.</summary>
    public async Task<IncidentGraph> GetGraph(Guid incidentId)
    {
        var info = await GetIncident(incidentId);
        return IncidentGraph.From(info, await GetSteps(incidentId));
    }

    /// <summary>Waits until the incident is Completed or Cancelled, or <paramref name="timeout"/> passes.</summary>
    public async Task<IncidentInfo> WaitForEndAsync(Guid incidentId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        IncidentInfo? info = null;
        string? lastError = null;
        try
        {
            while (true)
            {
                try
                {
                    info = await GetIncident(incidentId);
                    if (info.Status.IsFinished())
                        return info;
                }
                catch (Exception e) when (e is OrleansException or TimeoutException)
                {
                    // The silo that held the incident went away: the cluster moves it once membership declares that silo dead.
                    lastError = e.Message;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(info is not null
                ? $"Incident {incidentId} is still {info.Status} after {timeout.TotalSeconds:0.#} s."
                : $"Incident {incidentId} could not be read for {timeout.TotalSeconds:0.#} s: {lastError}");
        }
    }

    /// <summary>The incident's grain, for what this client does not wrap.</summary>
    public IIncidentGrain Incident(Guid incidentId) => _grains.GetGrain<IIncidentGrain>(incidentId);

    /// <summary>Closes the connections this client opened (none when it was given its grains and publisher).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
            await _owned.DisposeAsync();
    }
}
