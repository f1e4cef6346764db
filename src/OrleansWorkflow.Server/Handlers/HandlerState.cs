using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Handlers;

/// <summary>What one handler keeps for one incident, written in one storage write per handled message.</summary>
[GenerateSerializer]
internal sealed class HandlerState
{
    /// <summary>Documents from Persist.Put, as JSON text, in order.</summary>
    [Id(0)] public List<string> Documents { get; set; } = [];

    /// <summary>Ids of the messages already handled: a redelivered one is skipped.</summary>
    [Id(1)] public HashSet<string> HandledMessageIds { get; set; } = [];

    /// <summary>Effects of the last handled message that may not have left the grain yet.</summary>
    [Id(2)] public List<OutboxEntry> Outbox { get; set; } = [];

    /// <summary>The message whose effects the outbox holds (read from rows of earlier versions; not used since handlers own their steps).</summary>
    [Id(3)] public string? OutboxMessageId { get; set; }
}

internal enum OutboxKind
{
    Message = 0,
    CompleteIncident = 1,
    CancelIncident = 2,
    SubmitSimulation = 3,
    /// <summary>A message sent for later (SendAfter, SendAt): kept by the incident's timers until <see cref="OutboxEntry.DueAt"/>.</summary>
    ScheduledMessage = 4,
    /// <summary>A message sent for later that is no longer wanted (a join's timeout once the join fired).</summary>
    UnscheduledMessage = 5,
    /// <summary>Data of the incident to stage on a machine (<see cref="OutboxEntry.Data"/>).</summary>
    RegisterData = 6,
}

/// <summary>One effect of a handled message: a message to publish (now or later), the incident to complete or cancel, or a simulation to submit.</summary>
[GenerateSerializer]
internal sealed class OutboxEntry
{
    [Id(0)] public OutboxKind Kind { get; set; }
    [Id(1)] public string? Queue { get; set; }
    [Id(2)] public string? MessageId { get; set; }
    [Id(3)] public string? Body { get; set; }
    [Id(4)] public string? Reason { get; set; }
    [Id(5)] public Guid SimulationId { get; set; }
    [Id(6)] public SimulationRequest? Simulation { get; set; }
    [Id(7)] public DateTimeOffset? DueAt { get; set; }
    /// <summary>The urgency of the incident: a message goes to its node's queue for it.</summary>
    [Id(8)] public IncidentUrgency Urgency { get; set; }
    /// <summary>The candidates of a FirstToStart simulation, one per machine (null: <see cref="Simulation"/> alone).</summary>
    [Id(9)] public List<SimulationRequest>? Candidates { get; set; }
    /// <summary>An ensemble's request (its machine's placement applied); <see cref="Simulation"/> is then its first member's.</summary>
    [Id(10)] public EnsembleRequest? Ensemble { get; set; }
    /// <summary>The data a RegisterData effect stages.</summary>
    [Id(11)] public Simulations.Data.DataRegistration? Data { get; set; }

    /// <summary>The queue a message effect is published to: <see cref="Queue"/>'s queue for the incident's urgency.</summary>
    public string Route => Wire.WireContract.QueueFor(Queue!, Urgency);

    /// <summary>Where the effect goes, as a node of the incident graph; null for Complete and Cancel.</summary>
    public string? Destination => Kind switch
    {
        OutboxKind.Message or OutboxKind.ScheduledMessage => Queue,
        OutboxKind.SubmitSimulation => SimulationSource.Of(Candidates is { } race ? string.Join("|", race.Select(c => c.Machine)) : Simulation!.Machine),
        _ => null,
    };
}
