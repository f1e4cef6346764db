using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Handlers;

/// <summary>Collects what a handler does during one run, for the grain to keep only if the run succeeds.</summary>
internal sealed class HandlerContext : IHandlerContext, IPersist
{
    private readonly IReadOnlyList<string> _persisted;
    private readonly List<JsonObject> _put = [];

    public HandlerContext(Guid incidentId, string queue, string messageId, IReadOnlyList<string> persisted, ILogger logger, CancellationToken cancellationToken)
    {
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

    public List<OutboxEntry> Effects { get; } = [];

    public IEnumerable<string> NewDocuments => _put.Select(d => d.ToJsonString());

    public void Send(string queue, JsonObject message)
    {
        WireContract.ValidateQueueName(queue);
        var messageId = MessageIds.Derive(MessageId, Queue, Effects.Count);
        var body = WireMessage.Stamp(message, messageId, originator: Queue);
        Effects.Add(new OutboxEntry { Kind = OutboxKind.Message, Queue = queue, MessageId = messageId, Body = body });
    }

    public void Complete() => Effects.Add(new OutboxEntry { Kind = OutboxKind.CompleteIncident });

    public void Cancel(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Effects.Add(new OutboxEntry { Kind = OutboxKind.CancelIncident, Reason = reason });
    }

    public void Put(JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _put.Add(data.DeepClone().AsObject());
    }

    public IReadOnlyList<JsonObject> Get() =>
        [.. _persisted.Select(d => JsonNode.Parse(d)!.AsObject()), .. _put.Select(d => d.DeepClone().AsObject())];
}
