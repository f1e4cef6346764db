using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Graph;

/// <summary>How far a workflow node got in one incident.</summary>
public enum NodeStatus
{
    /// <summary>A message was sent to it and waits to be handled.</summary>
    Sent,
    /// <summary>Its handler is running.</summary>
    Processing,
    /// <summary>Its handler ran every message it got.</summary>
    Completed,
    /// <summary>Its handler failed on a message.</summary>
    Error,
}

/// <summary>A node of an incident's graph: a queue, or a source that fed the workflow from outside.</summary>
/// <param name="Id">The queue's name, or the source's (such as "client").</param>
/// <param name="Status">How far the node got.</param>
/// <param name="Handled">Messages its handler completed.</param>
/// <param name="IsSource">Whether it is a source outside the workflow rather than a queue.</param>
public sealed record GraphNode(string Id, NodeStatus Status, int Handled, bool IsSource);

/// <summary>Messages sent from one node to another.</summary>
/// <param name="From">The sending node.</param>
/// <param name="To">The receiving queue.</param>
/// <param name="Messages">How many were sent.</param>
public sealed record GraphEdge(string From, string To, int Messages);

/// <summary>
/// The workflow graph of one incident as it actually ran: nodes are the queues (and the sources that fed
/// them from outside), edges the messages sent between them.
/// </summary>
/// <param name="IncidentId">The incident.</param>
/// <param name="Name">Its name.</param>
/// <param name="Status">Its status when the graph was drawn.</param>
/// <param name="Nodes">Queues and sources.</param>
/// <param name="Edges">Messages between them.</param>
public sealed record IncidentGraph(Guid IncidentId, string Name, IncidentStatus Status, IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges)
{
    /// <summary>The graph of <paramref name="incident"/> from its steps so far (drawable while it runs and after).</summary>
    public static IncidentGraph From(IncidentInfo incident, IReadOnlyList<IncidentStep> steps)
    {
        var handled = steps.Select(s => s.Queue).ToHashSet(StringComparer.Ordinal);
        var sentTo = steps.SelectMany(s => s.SentTo).ToHashSet(StringComparer.Ordinal);

        // A message into a queue comes from a handler's step (counted from its SentTo) or, when its originator
        // is no handler that sent to this queue, from outside the workflow: a source node.
        var edges = new Dictionary<(string From, string To), int>();
        foreach (var step in steps)
            foreach (var to in step.SentTo)
                Add(edges, (step.Queue, to));
        foreach (var step in steps.Where(s => !IsFromHandler(s, steps)))
            Add(edges, (step.Originator ?? "unknown", step.Queue));

        var sources = edges.Keys.Select(e => e.From).Where(f => !handled.Contains(f)).ToHashSet(StringComparer.Ordinal);
        var nodes = sources.Order(StringComparer.Ordinal).Select(s => new GraphNode(s, NodeStatus.Completed, 0, IsSource: true))
            .Concat(handled.Union(sentTo).Where(q => !sources.Contains(q)).Order(StringComparer.Ordinal)
                .Select(q => new GraphNode(q, StatusOf(q, steps, edges), steps.Count(s => s.Queue == q && s.Outcome == StepOutcome.Completed), IsSource: false)))
            .ToList();

        return new IncidentGraph(incident.IncidentId, incident.Name, incident.Status, nodes,
            [.. edges.OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal).Select(e => new GraphEdge(e.Key.From, e.Key.To, e.Value))]);
    }

    private static bool IsFromHandler(IncidentStep step, IReadOnlyList<IncidentStep> steps) =>
        step.Originator is { } originator && steps.Any(s => s.Queue == originator && s.SentTo.Contains(step.Queue));

    private static NodeStatus StatusOf(string queue, IReadOnlyList<IncidentStep> steps, Dictionary<(string From, string To), int> edges)
    {
        var mine = steps.Where(s => s.Queue == queue).ToList();
        if (mine.Any(s => s.Outcome is StepOutcome.Failed or StepOutcome.DeadLettered))
            return NodeStatus.Error;
        if (mine.Any(s => s.Outcome == StepOutcome.Processing))
            return NodeStatus.Processing;
        var received = edges.Where(e => e.Key.To == queue).Sum(e => e.Value);
        return mine.Count < received ? NodeStatus.Sent : NodeStatus.Completed;
    }

    private static void Add(Dictionary<(string, string), int> edges, (string, string) edge) =>
        edges[edge] = edges.GetValueOrDefault(edge) + 1;
}
