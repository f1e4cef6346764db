using System.Text.Json.Nodes;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// A join of one handler for one incident, as <see cref="IHandlerContext.Join"/> left it for the message being handled.
/// It fires exactly once: on the message that brings its last needed input, or on its timeout, with what arrived.
/// </summary>
public interface IJoin
{
    /// <summary>Its name, unique among the handler's joins.</summary>
    string Name { get; }

    /// <summary>The inputs it waits for: the originators (queues) whose messages it takes.</summary>
    IReadOnlyList<string> Expected { get; }

    /// <summary>How many of <see cref="Expected"/> it needs to fire.</summary>
    int Needed { get; }

    /// <summary>It fires on this message: act on it now. True for exactly one message of the incident.</summary>
    bool FiresNow { get; }

    /// <summary>It fired, on this message or an earlier one.</summary>
    bool HasFired { get; }

    /// <summary>It fired because its timeout passed before <see cref="Needed"/> inputs arrived.</summary>
    bool TimedOut { get; }

    /// <summary>The inputs that arrived, in order of first arrival.</summary>
    IReadOnlyList<string> Arrived { get; }

    /// <summary>The inputs that arrived, by originator: the newest message of each until it fired.</summary>
    IReadOnlyDictionary<string, JsonObject> Inputs { get; }

    /// <summary>Expected inputs that have not arrived.</summary>
    IReadOnlyList<string> Missing { get; }

    /// <summary>When it gives up waiting (null: it waits as long as the incident runs).</summary>
    DateTimeOffset? Until { get; }
}
