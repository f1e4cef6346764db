using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Time;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Handlers;

/// <summary>Collects what a handler does during one run, for the grain to keep only if the run succeeds.</summary>
internal sealed class HandlerContext : IHandlerContext, IPersist, ISimulations
{
    private readonly IReadOnlyList<string> _persisted;
    private readonly PersistedDocuments _documents;
    private readonly List<JsonObject> _put = [];
    private readonly HpcMachines _machines;
    private readonly int _maxBodyBytes;
    /// <summary>When the handler started on the message: SendAfter counts from it.</summary>
    private readonly DateTimeOffset _now;
    private readonly IncidentUrgency _urgency;
    private readonly IGrainFactory _grains;

    public HandlerContext(Guid incidentId, string queue, string messageId, IReadOnlyList<string> persisted, PersistedDocuments documents,
        HpcMachines machines, ILogger logger, CancellationToken cancellationToken, int maxBodyBytes, DateTimeOffset now, RunJoins joins,
        IncidentUrgency urgency, Hosting.IncidentWorkflow workflow, IGrainFactory grains)
    {
        Kind = workflow.Kind;
        WorkflowVersion = workflow.Version;
        _grains = grains;
        _now = now;
        _urgency = urgency;
        Joins = joins;
        _documents = documents;
        _machines = machines;
        _maxBodyBytes = maxBodyBytes;
        IncidentId = incidentId;
        Queue = queue;
        MessageId = messageId;
        _persisted = persisted;
        Logger = logger;
        CancellationToken = cancellationToken;
        Data = new Simulations.Data.HandlerData(incidentId, Effects, grains, machines, cancellationToken);
    }

    public Guid IncidentId { get; }
    public string Kind { get; }
    public int WorkflowVersion { get; }
    public string Queue { get; }
    public string MessageId { get; }
    public ILogger Logger { get; }
    public CancellationToken CancellationToken { get; }
    public IPersist Persist => this;
    public ISimulations Simulations => this;
    public IIncidentData Data { get; }

    public List<OutboxEntry> Effects { get; } = [];

    /// <summary>The joins as this run left them.</summary>
    public RunJoins Joins { get; }

    public IEnumerable<string> NewDocuments => _put.Select(d => d.ToJsonString());

    public void Send(string queue, JsonObject message) => Effects.Add(Message(OutboxKind.Message, queue, message, dueAt: null));

    public void SendAfter(TimeSpan delay, string queue, JsonObject message)
    {
        if (delay < TimeSpan.Zero || delay > TimerSettings.LongestDelay)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, $"SendAfter takes a delay from 0 to {TimerSettings.LongestDelay.TotalDays:0} days; for a message now, use Send.");
        Effects.Add(Message(OutboxKind.ScheduledMessage, queue, message, _now + delay));
    }

    public void SendAt(DateTimeOffset time, string queue, JsonObject message)
    {
        if (time - _now > TimerSettings.LongestDelay)
            throw new ArgumentOutOfRangeException(nameof(time), time, $"SendAt takes a time at most {TimerSettings.LongestDelay.TotalDays:0} days ahead; a time in the past sends at once.");
        Effects.Add(Message(OutboxKind.ScheduledMessage, queue, message, time < _now ? _now : time));
    }

    /// <summary>A message effect, with the id the same handled message always gives it (so a redelivery sends it once).</summary>
    private OutboxEntry Message(OutboxKind kind, string queue, JsonObject message, DateTimeOffset? dueAt)
    {
        WireContract.ValidateQueueName(queue);
        ArgumentNullException.ThrowIfNull(message);
        var messageId = MessageIds.Derive(MessageId, Queue, Effects.Count);
        var body = WireMessage.Stamp(message, messageId, originator: Queue);
        // The receiving consumer would dead-letter it unread; refusing it here makes it this handler's failure, with the reason.
        if (System.Text.Encoding.UTF8.GetByteCount(body) is var size && size > _maxBodyBytes)
            throw new ArgumentException($"The message to \"{queue}\" is {size} bytes, over the limit of {_maxBodyBytes} bytes (Workflow:MaxBodyBytes). Send a reference to the data (a file, a URL) instead of the data.", nameof(message));
        return new OutboxEntry { Kind = kind, Queue = queue, MessageId = messageId, Body = body, DueAt = dueAt, Urgency = _urgency };
    }

    public IJoin Join(string name, IReadOnlyCollection<string> expect, TimeSpan? timeout = null, int? needed = null) =>
        Joins.Join(name, expect, timeout, needed,
            scheduleTimeout: (at, body) =>
            {
                var entry = Message(OutboxKind.ScheduledMessage, Queue, body, at);
                Effects.Add(entry);
                return entry.MessageId!;
            },
            cancelTimeout: messageId => Effects.Add(new OutboxEntry { Kind = OutboxKind.UnscheduledMessage, MessageId = messageId }),
            IncidentId);

    public void Complete() => Effects.Add(new OutboxEntry { Kind = OutboxKind.CompleteIncident });

    public void Cancel(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Effects.Add(new OutboxEntry { Kind = OutboxKind.CancelIncident, Reason = reason });
    }

    public Guid Submit(SimulationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        request = _machines.Get(request.Machine).Place(request, _urgency);
        var simulationId = NextSimulationId();
        Effects.Add(new OutboxEntry { Kind = OutboxKind.SubmitSimulation, SimulationId = simulationId, Simulation = request });
        return simulationId;
    }

    public Guid Submit(EnsembleRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        request = request with { Simulation = _machines.Get(request.Simulation.Machine).Place(request.Simulation, _urgency) };
        var ensembleId = NextSimulationId();
        Effects.Add(new OutboxEntry { Kind = OutboxKind.SubmitSimulation, SimulationId = ensembleId, Simulation = request.Simulation, Ensemble = request });
        return ensembleId;
    }

    public Guid Submit(SimulationRequest request, IReadOnlyList<string> machines, SubmitStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(machines);
        if (!Enum.IsDefined(strategy))
            throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Use SubmitStrategy.FirstToStart.");
        if (machines.Count == 0 || machines.Distinct(StringComparer.Ordinal).Count() != machines.Count)
            throw new ArgumentException("Give the distinct machines to offer the simulation to, e.g. [\"archer\", \"cirrus\"].", nameof(machines));
        // Each machine gets the request with its own name and its own placement for the incident's urgency.
        var candidates = machines.Select(machine =>
        {
            var candidate = request with { Machine = machine };
            candidate.Validate();
            return _machines.Get(machine).Place(candidate, _urgency);
        }).ToList();
        var raceId = NextSimulationId();
        Effects.Add(new OutboxEntry { Kind = OutboxKind.SubmitSimulation, SimulationId = raceId, Simulation = candidates[0], Candidates = candidates });
        return raceId;
    }

    /// <summary>The same message always yields the same SimulationID, so a redelivery cannot start a second job.</summary>
    private Guid NextSimulationId() => Guid.Parse(MessageIds.Derive(MessageId, Queue + "#simulation", Effects.Count));

    public async Task<SimulationInfo?> GetAsync(Guid simulationId)
    {
        var known = await KnownSimulations.FindAsync(_grains, simulationId);
        return known?.IncidentId == IncidentId ? known : null;
    }

    public async Task<string> ReadFileAsync(SimulationEnd simulation, string fileName)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        JobFiles.ThrowIfNotInside(fileName);
        // The machine and the directory are the engine's record of the job, whatever the message or the handler says.
        var job = await GetAsync(simulation.SimulationId)
            ?? throw new ArgumentException($"Simulation {simulation.SimulationId} is none of incident {IncidentId}'s: the engine never submitted it for this incident, so it has no files to read.", nameof(simulation));
        if (string.IsNullOrEmpty(job.WorkingDirectory))
            throw new InvalidOperationException($"Simulation {simulation.SimulationId} has no working directory yet (the engine knows it {job.Status}); read its files once it has ended.");
        return await _machines.Get(job.Machine).ReadFileAsync(job.WorkingDirectory, fileName, CancellationToken);
    }

    public void Put(JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _put.Add(data.DeepClone().AsObject());
    }

    public IReadOnlyList<JsonObject> Get() =>
        [.. _documents.Copies(_persisted), .. _put.Select(d => d.DeepClone().AsObject())];
}
