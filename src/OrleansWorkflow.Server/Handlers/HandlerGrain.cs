using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging.Telemetry;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// Base of every handler grain: one activation per handler and incident. For each message it skips a redelivery,
/// runs <see cref="HandleAsync"/>, keeps the documents, the message id and the effects in ONE storage write, then
/// carries the effects out. A crash after the write is repaired when the unacknowledged message comes back.
/// Its state is read from storage only when the incident says this handler ran before: most handlers of most
/// incidents are new, and the read would find nothing. Were that answer ever wrong (a crash lost the step record),
/// the write would meet the stored row, fail its version check, and the message is handled again on the stored state.
/// </summary>
public abstract class HandlerGrain : Grain, IHandlerDelivery
{
    private readonly IGrainStorage _storage;
    private readonly GrainState<HandlerState> _state = new(new HandlerState());
    private bool _loaded;

    private HandlerState Stored => _state.State!;
    private readonly ILogger _logger;
    private readonly OutboxDispatcher _dispatcher;
    private readonly HpcMachines _machines;
    private readonly CancellationToken _shutdown;
    private readonly FaultInjection _faults;
    private readonly DeliveryOptions _limits;
    private Guid _incidentId;
    private string _queue = "";
    private bool _outboxDispatched;

    /// <summary>Resolves the engine's services; handler classes need no constructor of their own.</summary>
    protected HandlerGrain()
    {
        _storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(WorkflowStorage.Name);
        _logger = ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(GetType());
        _dispatcher = ServiceProvider.GetRequiredService<OutboxDispatcher>();
        _machines = ServiceProvider.GetRequiredService<HpcMachines>();
        _shutdown = ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        _faults = ServiceProvider.GetService<FaultInjection>() ?? new FaultInjection();
        _limits = ServiceProvider.GetRequiredService<WorkflowSettings>().Workflow;
    }

    /// <summary>The handler's work for one message.</summary>
    protected abstract Task HandleAsync(JsonObject message, IHandlerContext context);

    /// <summary>Reads the grain's identity (IncidentID and queue); call the base when you override it.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _incidentId = this.GetPrimaryKey(out var queue);
        _queue = queue ?? throw new InvalidOperationException("A handler grain is keyed by IncidentID plus its queue name.");
        return Task.CompletedTask;
    }

    Task<DeliveryResult> IHandlerDelivery.Deliver(InboundMessage message) => DeliverAsync(message);

    private async Task<DeliveryResult> DeliverAsync(InboundMessage message)
    {
        // The handler's work, and the messages it sends, are children of the delivery in the incident's trace.
        using var handling = WorkflowTracing.StartMessaging("process", _queue, message.MessageId, _incidentId, message.TraceParent);
        handling?.SetTag("owf.handler", GetType().Name);
        var incident = GrainFactory.GetGrain<IIncidentBookkeeping>(_incidentId);
        var readSkipped = false;
        if (!_loaded)
        {
            if (await incident.HasSteps(_queue))
            {
                await ReadStateAsync();
            }
            else
            {
                _state.State = new HandlerState();
                _state.ETag = null;
                _state.RecordExists = false;
                readSkipped = _loaded = true;
            }
        }

        // Effects left by an attempt that failed after its write (or by a crash) are carried out first, and that
        // message's step is ended: its handling is complete only now.
        if (await DispatchPendingOutboxAsync() && Stored.OutboxMessageId is { } previous)
            await incident.EndStep(_queue, previous, null, StepOutcome.Completed, Destinations(Stored.Outbox), null);
        if (Stored.HandledMessageIds.Contains(message.MessageId))
        {
            await incident.ConfirmHandled(_queue, message.MessageId, message.Originator);
            return DeliveryResult.Duplicate;
        }

        if (await SimulationEndCheck.RefusalAsync(message.Body, _incidentId, GrainFactory) is { } forged)
            return DeliveryResult.Rejected(forged);

        var status = await incident.BeginStep(_queue, message.MessageId, message.Originator);
        if (!status.Exists())
            return DeliveryResult.Rejected($"incident {_incidentId} was never created");
        if (status.IsFinished())
        {
            // A copy of a message handled before the incident finished, redelivered after a crash: nothing to do. The
            // incident's step record says so, or, when a crash lost that record, this handler's kept message ids do.
            // Anything else for a finished incident is refused.
            if (await incident.Handled(_queue, message.MessageId))
                return DeliveryResult.Duplicate;
            if (readSkipped)
                await ReadStateAsync();
            return Stored.HandledMessageIds.Contains(message.MessageId)
                ? DeliveryResult.Duplicate
                : DeliveryResult.Rejected($"incident {_incidentId} is already {status}");
        }

        using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(_shutdown);
        timeLimit.CancelAfter(_limits.HandlerTimeout);
        var context = new HandlerContext(_incidentId, _queue, message.MessageId, Stored.Documents, _machines, _logger, timeLimit.Token, _limits.MaxBodyBytes);
        try
        {
            var body = JsonNode.Parse(message.Body)?.AsObject() ?? throw new JsonException("message body is null");
            if (_faults.KillsWhenHandling(_queue))
            {
                _logger.LogCritical("Fault injection: killing this silo as {Queue} starts on message {MessageId} of incident {IncidentId}", _queue, message.MessageId, _incidentId);
                FaultInjection.KillThisProcess();
            }
            // A handler that ignores its token is not waited for past the limit either.
            await HandleAsync(body, context).WaitAsync(timeLimit.Token);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Not the handler's failure: its silo is stopping. Nothing was stored; the message is delivered again (held
            // by its consumer like any outage) and handled where the grain lives next.
            _logger.LogInformation("Handler {Queue} stopped on message {MessageId} of incident {IncidentId}: this silo is shutting down", _queue, message.MessageId, _incidentId);
            throw;
        }
        catch (MachineUnreachableException e) when (e is not HostKeyMismatchException)
        {
            // An outage, not the handler's failure: the machine is asked again when the message is. A host key that
            // does not match is no outage (waiting does not change it) and fails like any error, below.
            _logger.LogInformation("Handler {Queue} waits for machine {Machine} on message {MessageId} of incident {IncidentId}: {Error}", _queue, e.Machine, message.MessageId, _incidentId, e.Message);
            await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Failed, [], $"machine {e.Machine} unreachable; the message is held until it answers");
            return DeliveryResult.Held($"machine {e.Machine} unreachable: {e.Message}");
        }
        catch (OperationCanceledException) when (timeLimit.IsCancellationRequested)
        {
            // Whatever the abandoned run still does goes nowhere (its context is dropped); a fresh activation takes the retry.
            var error = $"handler ran longer than Workflow:HandlerTimeout ({_limits.HandlerTimeout}); long work belongs in a simulation";
            _logger.LogWarning("Handler {Queue} stopped on message {MessageId} of incident {IncidentId}: {Error}", _queue, message.MessageId, _incidentId, error);
            handling?.SetStatus(ActivityStatusCode.Error, error);
            DeactivateOnIdle();
            await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Failed, [], error);
            return DeliveryResult.Failed($"{nameof(TimeoutException)}: {error}");
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Handler {Queue} failed on message {MessageId} of incident {IncidentId}", _queue, message.MessageId, _incidentId);
            handling?.SetStatus(ActivityStatusCode.Error, e.Message);
            await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Failed, [], e.Message);
            return DeliveryResult.Failed($"{e.GetType().Name}: {e.Message}");
        }

        Stored.Documents.AddRange(context.NewDocuments);
        Stored.HandledMessageIds.Add(message.MessageId);
        Stored.Outbox = context.Effects;
        Stored.OutboxMessageId = message.MessageId;
        try
        {
            await _storage.WriteStateAsync(WorkflowStorage.HandlerState, GrainContext.GrainId, _state);
            if (_faults.FailsAfterStateWrite(_queue, message.MessageId))
                throw new IOException($"Fault injection: the state write of {_queue} for message {message.MessageId} reports an error after it committed");
        }
        catch (InconsistentStateException) when (readSkipped)
        {
            _logger.LogInformation("Handler {Queue} of incident {IncidentId} had stored state after all; handling message {MessageId} again on it", _queue, _incidentId, message.MessageId);
            await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Failed, [], "stored state was found at write time; handled again on it");
            await ReadStateAsync();
            return await DeliverAsync(message);
        }
        catch
        {
            // Whether this message's changes were stored is unknown (a write can commit and still report an error):
            // the next delivery starts from storage (which carries its outbox out again), and nothing in memory is written.
            _loaded = false;
            throw;
        }
        _outboxDispatched = false;
        if (_faults.KillsAfterStateWrite(_queue))
        {
            _logger.LogCritical("Fault injection: killing this silo after {Queue} stored message {MessageId} of incident {IncidentId}", _queue, message.MessageId, _incidentId);
            FaultInjection.KillThisProcess();
        }

        // The step is recorded before its effects go out, so the next handler, or the incident's completion, can
        // never be seen before the step that caused it.
        var stored = Stopwatch.GetTimestamp();
        await incident.EndStep(_queue, message.MessageId, message.Originator, StepOutcome.Completed, Destinations(context.Effects), null);
        await DispatchPendingOutboxAsync();
        WorkflowMetrics.OutboxLag.Record(Stopwatch.GetElapsedTime(stored).TotalSeconds, WorkflowMetrics.Queue(_queue));
        return DeliveryResult.Handled;
    }

    async Task<IReadOnlyList<string>> IHandlerDelivery.GetPersisted()
    {
        if (!_loaded)
            await ReadStateAsync();
        return [.. Stored.Documents];
    }

    async Task IHandlerDelivery.ClearIncidentData()
    {
        if (!_loaded)
            await ReadStateAsync();
        if (_state.RecordExists && (Stored.Documents.Count > 0 || Stored.Outbox.Count > 0))
        {
            // The documents go; the handled message ids stay, so a late copy of one is still known as a duplicate.
            Stored.Documents.Clear();
            Stored.Outbox = [];
            await _storage.WriteStateAsync(WorkflowStorage.HandlerState, GrainContext.GrainId, _state);
        }
        _outboxDispatched = true;
        DeactivateOnIdle();
    }

    async Task IHandlerDelivery.PurgeIncidentData()
    {
        if (!_loaded)
            await ReadStateAsync();
        // A late copy of a handled message is still known by the incident's record of its steps.
        await _storage.ClearStateAsync(WorkflowStorage.HandlerState, GrainContext.GrainId, _state);
        _state.State = new HandlerState();
        _loaded = false;
        _outboxDispatched = true;
        DeactivateOnIdle();
    }

    /// <summary>Clears an outbox that was carried out but is still stored; call the base when you override it.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The outbox was carried out but is still in storage: clear it so a later activation does not repeat it.
        if (_loaded && _outboxDispatched && Stored.Outbox.Count > 0 && _state.RecordExists)
        {
            Stored.Outbox = [];
            await _storage.WriteStateAsync(WorkflowStorage.HandlerState, GrainContext.GrainId, _state, cancellationToken);
        }
    }

    private async Task ReadStateAsync()
    {
        await _storage.ReadStateAsync(WorkflowStorage.HandlerState, GrainContext.GrainId, _state);
        _state.State ??= new HandlerState();
        _loaded = true;
        // A stored outbox is carried out again unless this activation carried out exactly that state: sending twice is
        // harmless (its messages keep their ids), skipping is not.
        _outboxDispatched = false;
    }

    /// <summary>Carries out the stored effects unless done already; true when it did so now.</summary>
    private async Task<bool> DispatchPendingOutboxAsync()
    {
        if (_outboxDispatched || Stored.Outbox.Count == 0)
            return false;
        await _dispatcher.DispatchAsync(_incidentId, Stored.Outbox, CancellationToken.None);
        _outboxDispatched = true;
        return true;
    }

    private static List<string> Destinations(IEnumerable<OutboxEntry> effects) => [.. effects.Select(e => e.Destination).OfType<string>()];
}
