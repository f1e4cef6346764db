using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Messaging.Telemetry;
using RabbitMQ.Client.Events;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Takes each message to a silo that runs its incident's workflow version. A handler grain on a silo that does not
/// run it answers <see cref="DeliveryOutcome.Elsewhere"/> with the version, from the incident's own record; this
/// silo's consumers remember it for the incident and name it in the request context of their next deliveries, where
/// <see cref="WorkflowVersionPlacement"/> places the grain on a silo that runs it. When no live silo does, the message
/// is held (<see cref="HeldMessages"/>) until one is up.
/// </summary>
internal sealed class VersionRouting(ClusterWorkflowVersions cluster, HeldMessages held, IStepAttempts attempts, TimeProvider clock, IGrainFactory grains, ILogger<VersionRouting> logger)
{
    /// <summary>How often one delivery may be sent on to another silo before it is held (membership may lag).</summary>
    private const int MaxMoves = 3;
    /// <summary>Incidents remembered at most; past it the memory starts again (a forgotten one costs one more move).</summary>
    private const int Remembered = 10_000;

    private readonly ConcurrentDictionary<Guid, IncidentWorkflow> _known = new();

    /// <summary>Delivers <paramref name="message"/>, naming the incident's workflow to placement when it is known here.</summary>
    public async Task<DeliveryResult> DeliverAsync(IHandlerDelivery handler, InboundMessage message, Guid incidentId)
    {
        // Set inside this method, the context goes with this call only.
        if (_known.TryGetValue(incidentId, out var workflow))
            RequestContext.Set(WorkflowVersionPlacement.ContextKey, workflow.ToContextValue());
        return await handler.Deliver(message);
    }

    /// <summary>How long a delivery waits for the versions of a silo this one does not know yet before it is held.</summary>
    private static readonly TimeSpan Settling = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SettlingPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The handler answered that its silo does not run <paramref name="workflow"/>: true to deliver again, false to hold.
    /// While this silo's view of the cluster is not settled (a silo is joining, or its versions are not known here yet),
    /// or the message was just released by a silo this one may not know of yet (<paramref name="released"/>, a hint that
    /// only makes it wait), the delivery waits a while rather than being held (again) at once.
    /// </summary>
    public async Task<bool> MovedAsync(Guid incidentId, IncidentWorkflow workflow, int moves, bool released, CancellationToken cancellationToken)
    {
        if (_known.Count >= Remembered)
            _known.Clear();
        _known[incidentId] = workflow;
        if (moves > MaxMoves)
            return false;
        for (var waited = TimeSpan.Zero; !cluster.AnyRuns(workflow) && (released || !cluster.Settled()) && waited < Settling; waited += SettlingPoll)
            await Task.Delay(SettlingPoll, cancellationToken);
        return cluster.AnyRuns(workflow);
    }

    /// <summary>Keeps the message until a silo that runs <paramref name="workflow"/> is up, and says so in the incident's step and the log.</summary>
    public async Task HoldAsync(string consumed, string queue, BasicDeliverEventArgs delivery, InboundMessage message, Guid incidentId, IncidentWorkflow workflow, CancellationToken cancellationToken)
    {
        await held.HoldAsync(consumed, message.MessageId, incidentId, workflow, delivery.Body,
            AmqpHeaders.Text(delivery.BasicProperties.Headers, WorkflowTracing.TraceParentHeader), cancellationToken);
        var silos = cluster.Describe(workflow.Kind);
        var now = clock.GetUtcNow();
        var attempt = new StepAttempt(incidentId, queue, message.MessageId, message.Originator, now, now,
            $"held: no live silo runs {workflow} (live silos run {workflow.Kind}: {silos}); handled once a silo that runs it is up");
        await attempts.RecordAsync(attempt);
        _ = grains.GetGrain<IIncidentBookkeeping>(incidentId).StepEnded(attempt.ToStep());
        logger.LogWarning("Message {MessageId} of incident {IncidentId} on {Queue} is held: no live silo runs {Workflow} (live silos run {Kind}: {Silos}). " +
            "Start a silo whose handlers declare that version (AddWorkflowVersions); the message is kept in owf_held_message until then",
            message.MessageId, incidentId, queue, workflow, workflow.Kind, silos);
    }
}
