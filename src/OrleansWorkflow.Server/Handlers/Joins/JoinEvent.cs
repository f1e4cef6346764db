namespace OrleansWorkflow.Handlers;

/// <summary>
/// What one handled message changed in one join, kept in the handler's journal beside the message's documents:
/// the join opened, an input arrived, or it fired. A join is the sum of its events.
/// </summary>
internal sealed record JoinEvent
{
    public required string Join { get; init; }

    /// <summary>Set when the join opened on this message.</summary>
    public JoinOpening? Opened { get; init; }

    /// <summary>The input (originator) that arrived, with its message as JSON text.</summary>
    public string? Input { get; init; }
    public string? Message { get; init; }

    /// <summary>Set when the join fired on this message.</summary>
    public DateTimeOffset? FiredAt { get; init; }
    public bool TimedOut { get; init; }
}

/// <summary>How a join was opened; later calls of Join keep it, so a running incident is not changed by new handler code.</summary>
internal sealed record JoinOpening(
    IReadOnlyList<string> Expected,
    int Needed,
    DateTimeOffset OpenedAt,
    DateTimeOffset? Until,
    string? TimeoutMessageId);
