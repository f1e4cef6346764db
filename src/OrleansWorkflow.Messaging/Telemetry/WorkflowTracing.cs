using System.Diagnostics;

namespace OrleansWorkflow.Messaging.Telemetry;

/// <summary>
/// Traces that follow an incident across queue hops: the W3C trace context travels in the AMQP headers
/// (traceparent, tracestate). Every message of an incident belongs to ONE trace whose trace id is the IncidentID's 32
/// hex digits, whoever sent it (a client, a handler, a simulation's end, a program in another language): find an
/// incident's trace by its id. Costs nothing unless a listener (OpenTelemetry, a test) subscribes to <see cref="SourceName"/>.
/// </summary>
internal static class WorkflowTracing
{
    /// <summary>The name of the engine's ActivitySource and Meter: add it to your OpenTelemetry tracing and metrics.</summary>
    public const string SourceName = "OrleansWorkflow";
    /// <summary>The AMQP header carrying the W3C traceparent.</summary>
    public const string TraceParentHeader = "traceparent";
    /// <summary>The AMQP header carrying the W3C tracestate.</summary>
    public const string TraceStateHeader = "tracestate";
    /// <summary>The span attribute holding the IncidentID.</summary>
    public const string IncidentTag = "owf.incident_id";
    // OpenTelemetry messaging semantic conventions: the queue is the destination (published through the default
    // exchange, it is also the routing key).
    /// <summary>messaging.system: always rabbitmq.</summary>
    public const string SystemTag = "messaging.system";
    /// <summary>The value of messaging.system.</summary>
    public const string RabbitMq = "rabbitmq";
    /// <summary>messaging.operation.type: send, receive or process.</summary>
    public const string OperationTypeTag = "messaging.operation.type";
    /// <summary>messaging.operation.name: publish, receive or process.</summary>
    public const string OperationNameTag = "messaging.operation.name";
    /// <summary>messaging.destination.name: the queue.</summary>
    public const string QueueTag = "messaging.destination.name";
    /// <summary>messaging.rabbitmq.destination.routing_key: the queue, as the default exchange routes by it.</summary>
    public const string RoutingKeyTag = "messaging.rabbitmq.destination.routing_key";
    /// <summary>messaging.message.id: the MessageID.</summary>
    public const string MessageIdTag = "messaging.message.id";

    /// <summary>The engine's ActivitySource.</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The (never emitted) root of an incident's trace: its trace id is the IncidentID.</summary>
    public static ActivityContext IncidentRoot(Guid incidentId)
    {
        var hex = incidentId.ToString("N");
        return new ActivityContext(ActivityTraceId.CreateFromString(hex), ActivitySpanId.CreateFromString(hex.AsSpan(0, 16)), ActivityTraceFlags.Recorded, isRemote: true);
    }

    /// <summary>
    /// The parent of work on an incident: the current activity when it is in the incident's trace, else the context
    /// carried in <paramref name="traceParent"/> (a W3C traceparent), else the incident's root.
    /// </summary>
    public static ActivityContext ParentFor(Guid incidentId, string? traceParent = null, string? traceState = null)
    {
        var root = IncidentRoot(incidentId);
        if (Activity.Current is { } current && current.TraceId == root.TraceId)
            return current.Context;
        if (traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var carried) && carried.TraceId == root.TraceId)
            return carried;
        return root;
    }

    /// <summary>Starts an activity of the incident's trace (null, at no cost, when nobody listens).</summary>
    public static Activity? Start(string name, ActivityKind kind, Guid incidentId, string? traceParent = null, string? traceState = null)
    {
        if (!Source.HasListeners())
            return null;
        var activity = Source.StartActivity(name, kind, ParentFor(incidentId, traceParent, traceState));
        activity?.SetTag(IncidentTag, incidentId.ToString());
        return activity;
    }

    /// <summary>
    /// Starts a messaging span of the incident's trace, named "<paramref name="operation"/> <paramref name="queue"/>" with
    /// the messaging attributes: <paramref name="operation"/> is "publish" (type send), "receive" or "process".
    /// </summary>
    public static Activity? StartMessaging(string operation, string queue, string? messageId, Guid incidentId, string? traceParent = null, string? traceState = null)
    {
        if (!Source.HasListeners())
            return null;
        var (kind, type) = operation switch
        {
            "publish" => (ActivityKind.Producer, "send"),
            "receive" => (ActivityKind.Consumer, "receive"),
            _ => (ActivityKind.Consumer, "process"),
        };
        var activity = Start($"{operation} {queue}", kind, incidentId, traceParent, traceState);
        activity?.SetTag(SystemTag, RabbitMq).SetTag(OperationTypeTag, type).SetTag(OperationNameTag, operation)
            .SetTag(QueueTag, queue).SetTag(RoutingKeyTag, queue).SetTag(MessageIdTag, messageId);
        return activity;
    }

    /// <summary>Starts an activity of the incident's trace continuing the context carried in a delivery's AMQP headers.</summary>
    public static Activity? StartFrom(IDictionary<string, object?>? headers, string operation, string queue, string? messageId, Guid incidentId) =>
        Source.HasListeners()
            ? StartMessaging(operation, queue, messageId, incidentId, AmqpHeaders.Text(headers, TraceParentHeader), AmqpHeaders.Text(headers, TraceStateHeader))
            : null;

    /// <summary>Writes the activity's context into outgoing AMQP headers.</summary>
    public static void Inject(Activity activity, IDictionary<string, object?> headers)
    {
        headers[TraceParentHeader] = activity.Id;
        if (!string.IsNullOrEmpty(activity.TraceStateString))
            headers[TraceStateHeader] = activity.TraceStateString;
    }
}
