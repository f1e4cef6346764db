using System.Data.Common;
using System.Net.Sockets;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using RabbitMQ.Client.Exceptions;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Tells an outage (the database, the broker or the cluster unreachable or slow: waiting helps) from a failure that
/// repeats at every attempt (bad input, a refusal, a bug: waiting does not). An outage holds its delivery and retries
/// it with backoff as long as it lasts; a repeating failure is retried as a handler's failure is, then dead-lettered.
/// </summary>
internal static class DeliveryFailure
{
    /// <summary>AMQP reply codes that refuse the request itself: access refused, not found, precondition failed, not allowed.</summary>
    private static readonly HashSet<ushort> RefusingReplyCodes = [403, 404, 406, 530];

    /// <summary>SQLSTATE classes of a server that cannot serve now: connection, rollback (deadlock, serialization), resources, lock, operator, system.</summary>
    private static readonly HashSet<string> TransientSqlStateClasses = ["08", "40", "53", "55", "57", "58"];

    /// <summary>Exception type names that mean an outage when Orleans carries them across silos without the type itself.</summary>
    private static readonly string[] OutageTypeNames = ["Npgsql", "Socket", "Timeout", "IOException", "RabbitMQ.Client", "SiloUnavailable", "ConnectionFailed", "MessageRejection"];

    /// <summary>True when <paramref name="error"/>, or any exception inside it, is an outage.</summary>
    public static bool IsOutage(Exception error) => Chain(error).Any(IsOutageItself);

    private static bool IsOutageItself(Exception error) => error switch
    {
        OperationInterruptedException { ShutdownReason: { } reason } => !RefusingReplyCodes.Contains(reason.ReplyCode),
        RabbitMQClientException => true,
        // A statement the server refuses (a constraint, bad data) fails again; a server that is away or busy does not.
        DbException db => db.IsTransient || db.SqlState is not { Length: >= 2 } state || TransientSqlStateClasses.Contains(state[..2]),
        TimeoutException or OperationCanceledException or IOException or SocketException => true,
        SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException => true,
        Orleans.Runtime.Messaging.ConnectionFailedException => true,
        ServiceUnavailableException => true,
        // Another activation wrote first, or a write's outcome is unknown: the next attempt reads the stored state again.
        InconsistentStateException => true,
        UnavailableExceptionFallbackException fallback => OutageTypeNames.Any(name => fallback.ExceptionType?.Contains(name, StringComparison.Ordinal) == true),
        _ => false,
    };

    private static IEnumerable<Exception> Chain(Exception error)
    {
        var pending = new Stack<Exception>();
        pending.Push(error);
        while (pending.TryPop(out var next))
        {
            yield return next;
            if (next is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    pending.Push(inner);
            else if (next.InnerException is { } inner)
                pending.Push(inner);
        }
    }
}

/// <summary>A handler could not run because a service it needs (an HPC machine) is unreachable: an outage.</summary>
internal sealed class ServiceUnavailableException(string message) : Exception(message);
