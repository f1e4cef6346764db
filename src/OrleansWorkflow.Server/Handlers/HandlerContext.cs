using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;
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

    public HandlerContext(Guid incidentId, string queue, string messageId, IReadOnlyList<string> persisted, PersistedDocuments documents,
        HpcMachines machines, ILogger logger, CancellationToken cancellationToken, int maxBodyBytes)
    {
        _documents = documents;
        _machines = machines;
        _maxBodyBytes = maxBodyBytes;
        IncidentId = incidentId;
        Queue = queue;
        MessageId = messageId;
        _persisted = persisted;
        Logger = logger;
        CancellationToken = cancellationToken;
    }

    public Guid IncidentId { get; }
    public string Queue { get; }
    public string MessageId { get; }
    public ILogger Logger { get; }
    public CancellationToken CancellationToken { get; }
    public IPersist Persist => this;
    public ISimulations Simulations => this;

    public List<OutboxEntry> Effects { get; } = [];

    public IEnumerable<string> NewDocuments => _put.Select(d => d.ToJsonString());

    public void Send(string queue, JsonObject message)
    {
        WireContract.ValidateQueueName(queue);
        var messageId = MessageIds.Derive(MessageId, Queue, Effects.Count);
        var body = WireMessage.Stamp(message, messageId, originator: Queue);
        // The receiving consumer would dead-letter it unread; refusing it here makes it this handler's failure, with the reason.
        if (System.Text.Encoding.UTF8.GetByteCount(body) is var size && size > _maxBodyBytes)
            throw new ArgumentException($"The message to \"{queue}\" is {size} bytes, over the limit of {_maxBodyBytes} bytes (Workflow:MaxBodyBytes). Send a reference to the data (a file, a URL) instead of the data.", nameof(message));
        Effects.Add(new OutboxEntry { Kind = OutboxKind.Message, Queue = queue, MessageId = messageId, Body = body });
    }

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
        _machines.Require(request.Machine);
        // The same message always yields the same SimulationID, so a redelivery cannot start a second job.
        var simulationId = Guid.Parse(MessageIds.Derive(MessageId, Queue + "#simulation", Effects.Count));
        Effects.Add(new OutboxEntry { Kind = OutboxKind.SubmitSimulation, SimulationId = simulationId, Simulation = request });
        return simulationId;
    }

    public Task<string> ReadFileAsync(SimulationEnd simulation, string fileName)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        JobFiles.ThrowIfNotInside(fileName);
        return _machines.Get(simulation.Machine).ReadFileAsync(simulation.WorkingDirectory, fileName, CancellationToken);
    }

    public void Put(JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _put.Add(data.DeepClone().AsObject());
    }

    public IReadOnlyList<JsonObject> Get() =>
        [.. _documents.Copies(_persisted), .. _put.Select(d => d.DeepClone().AsObject())];
}
