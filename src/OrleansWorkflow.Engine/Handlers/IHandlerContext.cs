using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace OrleansWorkflow.Handlers;

/// <summary>What a handler may do while it handles one message. Nothing it does is kept unless it returns normally.</summary>
public interface IHandlerContext
{
    Guid IncidentId { get; }

    /// <summary>The queue this handler is registered on; also its name as an originator.</summary>
    string Queue { get; }

    /// <summary>The id of the message being handled.</summary>
    string MessageId { get; }

    /// <summary>Sends <paramref name="message"/> to <paramref name="queue"/> once the handler returns successfully.</summary>
    void Send(string queue, JsonObject message);

    /// <summary>This handler's documents for this incident.</summary>
    IPersist Persist { get; }

    /// <summary>Marks the incident Completed once the handler returns successfully.</summary>
    void Complete();

    /// <summary>Marks the incident Cancelled, with a reason, once the handler returns successfully.</summary>
    void Cancel(string reason);

    ILogger Logger { get; }

    /// <summary>Signalled when the silo shuts down.</summary>
    CancellationToken CancellationToken { get; }
}

/// <summary>Per-incident documents of one handler (the original's workflow.Persist).</summary>
public interface IPersist
{
    /// <summary>Keeps <paramref name="data"/> for this handler and incident, after the documents put before.</summary>
    void Put(JsonObject data);

    /// <summary>Every document this handler put for this incident, in order, including the ones put in this run.</summary>
    IReadOnlyList<JsonObject> Get();
}
