using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// Base of every handler grain: one activation per handler and incident. For each message it skips a redelivery,
/// runs <see cref="HandleAsync"/>, keeps the documents, the message id and the effects in ONE storage write, then
/// carries the effects out. A crash after the write is repaired when the unacknowledged message comes back.
/// </summary>
public abstract class HandlerGrain : Grain, IWorkflowHandler
{
    private readonly IPersistentState<HandlerState> _state;
    private readonly ILogger _logger;
    private readonly OutboxDispatcher _dispatcher;
    private readonly HpcMachines _machines;
    private readonly CancellationToken _shutdown;
    private Guid _incidentId;
    private string _queue = "";
    private bool _outboxDispatched;

    protected HandlerGrain()
    {
        _state = ServiceProvider.GetRequiredService<IPersistentStateFactory>().Create<HandlerState>(
            GrainContext, new PersistentStateAttribute(WorkflowStorage.HandlerState, WorkflowStorage.Name));
        _logger = ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(GetType());
        _dispatcher = ServiceProvider.GetRequiredService<OutboxDispatcher>();
        _machines = ServiceProvider.GetRequiredService<HpcMachines>();
        _shutdown = ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    }

    /// <summary>The handler's work for one message.</summary>
    protected abstract Task HandleAsync(JsonObject message, IHandlerContext context);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _incidentId = this.GetPrimaryKey(out var queue);
        _queue = queue ?? throw new InvalidOperationException("A handler grain is keyed by IncidentID plus its queue name.");
        return Task.CompletedTask;
    }

    public async Task<DeliveryResult> Deliver(InboundMessage message)
    {
        await DispatchPendingOutboxAsync();
        if (_state.State.HandledMessageIds.Contains(message.MessageId))
            return DeliveryResult.Duplicate;

        var incident = GrainFactory.GetGrain<IIncidentGrain>(_incidentId);
        var status = await incident.BeginStep(_queue, message.MessageId, message.Originator);
        if (!status.Exists())
            return DeliveryResult.Rejected($"incident {_incidentId} was never created");
        if (status.IsFinished())
            return DeliveryResult.Rejected($"incident {_incidentId} is already {status}");

        var context = new HandlerContext(_incidentId, _queue, message.MessageId, _state.State.Documents, _machines, _logger, _shutdown);
        try
        {
            var body = JsonNode.Parse(message.Body)?.AsObject() ?? throw new JsonException("message body is null");
            await HandleAsync(body, context);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Handler {Queue} failed on message {MessageId} of incident {IncidentId}", _queue, message.MessageId, _incidentId);
            await incident.EndStep(_queue, message.MessageId, StepOutcome.Failed, [], e.Message);
            return DeliveryResult.Failed($"{e.GetType().Name}: {e.Message}");
        }

        _state.State.Documents.AddRange(context.NewDocuments);
        _state.State.HandledMessageIds.Add(message.MessageId);
        _state.State.Outbox = context.Effects;
        await _state.WriteStateAsync();
        _outboxDispatched = false;

        await DispatchPendingOutboxAsync();
        var sentTo = context.Effects.Select(e => e.Destination).OfType<string>().ToList();
        await incident.EndStep(_queue, message.MessageId, StepOutcome.Completed, sentTo, null);
        return DeliveryResult.Handled;
    }

    public Task<IReadOnlyList<string>> GetPersisted() => Task.FromResult<IReadOnlyList<string>>(_state.State.Documents.ToList());

    public async Task ClearIncidentData()
    {
        await _state.ClearStateAsync();
        _state.State = new HandlerState();
        _outboxDispatched = true;
        DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The outbox was carried out but is still in storage: clear it so a later activation does not repeat it.
        if (_outboxDispatched && _state.State.Outbox.Count > 0 && _state.RecordExists)
        {
            _state.State.Outbox = [];
            await _state.WriteStateAsync(cancellationToken);
        }
    }

    private async Task DispatchPendingOutboxAsync()
    {
        if (_outboxDispatched || _state.State.Outbox.Count == 0)
            return;
        await _dispatcher.DispatchAsync(_incidentId, _state.State.Outbox, CancellationToken.None);
        _outboxDispatched = true;
    }
}
