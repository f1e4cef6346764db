using Orleans.Concurrency;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// The engine's calls into a handler grain: a grain extension (<see cref="HandlerDelivery"/>) the engine installs on
/// every <see cref="HandlerGrain"/> activation it calls, so the handler classes carry none of it. No client app can
/// reach them.
/// </summary>
[Access.EngineOnly]
internal interface IHandlerDelivery : IGrainExtension
{
    /// <summary>
    /// Handles one message delivered from the handler's queue. The handler's own work is bounded by
    /// Workflow:HandlerTimeout inside the grain, so the call itself may take longer than Orleans' default timeout.
    /// </summary>
    [ResponseTimeout(WorkflowOptions.DeliverCallTimeout)]
    Task<DeliveryResult> Deliver(InboundMessage message);

    /// <summary>Drops this handler's documents and outbox for the incident (its incident finished), keeping the ids of the messages it handled. One-way.</summary>
    [OneWay]
    Task ClearIncidentData();

    /// <summary>Deletes everything this handler stored for its finished incident, handled message ids included (retention).</summary>
    Task PurgeIncidentData();

    /// <summary>The documents this handler persisted for the incident, in order (JSON objects as text).</summary>
    Task<IReadOnlyList<string>> GetPersisted();
}
