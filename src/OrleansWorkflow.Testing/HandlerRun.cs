using System.Text.Json.Nodes;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Testing;

/// <summary>A message a handler sent, as the engine kept it: the node's queue and the body (with its IncidentID, MessageID and originator).</summary>
public sealed record SentMessage(string Queue, JsonObject Body);

/// <summary>
/// What one handled message did to one of the handler's joins: opened it, brought it an input (its originator), fired
/// it (on its timeout, when <see cref="TimedOut"/>).
/// </summary>
public sealed record JoinStep(string Join, bool Opened, string? Input, bool Fired, bool TimedOut);

/// <summary>A message that went to its queue's dead-letter queue: its body as it was (it may not be JSON at all) and why.</summary>
public sealed record DeadLetter(string Body, string Reason);

/// <summary>A message a handler sent for later (SendAfter, SendAt, a join's timeout), due at <see cref="DueAt"/> of workflow time.</summary>
public sealed record ScheduledMessage(string Queue, JsonObject Body, DateTimeOffset DueAt);

/// <summary>
/// What one delivery of a message to a handler came to, read from what the engine kept: the handler's journal entry for
/// the message (its documents and effects), or the reason the message was dead-lettered.
/// </summary>
public sealed record HandlerRun
{
    /// <summary>"handled" (the handler ran and its effects were kept and carried out), "duplicate" (the message was handled before), or "dead-lettered".</summary>
    public required string Outcome { get; init; }

    /// <summary>Why the message was dead-lettered; null otherwise.</summary>
    public string? DeadLetterReason { get; init; }

    /// <summary>The messages the handler sent.</summary>
    public IReadOnlyList<SentMessage> Sent { get; init; } = [];

    /// <summary>The messages it sent for later.</summary>
    public IReadOnlyList<ScheduledMessage> Scheduled { get; init; } = [];

    /// <summary>The documents it persisted.</summary>
    public IReadOnlyList<JsonObject> Persisted { get; init; } = [];

    /// <summary>The simulations it submitted (one request per machine offered).</summary>
    public IReadOnlyList<SimulationRequest> Submitted { get; init; } = [];

    /// <summary>What the message did to the handler's joins.</summary>
    public IReadOnlyList<JoinStep> Joins { get; init; } = [];

    /// <summary>Whether it completed the incident.</summary>
    public bool Completed { get; init; }

    /// <summary>The reason it cancelled the incident with; null when it did not.</summary>
    public string? CancelledBecause { get; init; }
}
