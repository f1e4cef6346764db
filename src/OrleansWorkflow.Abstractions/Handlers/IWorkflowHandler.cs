using Orleans.Concurrency;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// The grain interface every handler interface derives from. A handler grain is keyed by the IncidentID
/// plus the name of the queue it is registered on, so each handler of each incident has its own state row.
/// Orleans runs one call at a time per activation: one message per handler and incident at a time.
/// </summary>
public interface IWorkflowHandler : IGrainWithGuidCompoundKey
{
    /// <summary>Handles one message delivered from the handler's queue.</summary>
    Task<DeliveryResult> Deliver(InboundMessage message);

    /// <summary>Drops this handler's documents and outbox for the incident (its incident finished), keeping the ids of the messages it handled. One-way.</summary>
    [OneWay]
    Task ClearIncidentData();

    /// <summary>The documents this handler persisted for the incident, in order (JSON objects as text).</summary>
    Task<IReadOnlyList<string>> GetPersisted();
}
