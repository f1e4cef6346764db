using OrleansWorkflow.Tests.Infrastructure;
using System.Net.Sockets;
using Npgsql;
using OrleansWorkflow.Adapter;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OrleansWorkflow.Tests.Adapter;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class OutageClassificationTests
{
    public static TheoryData<Exception> Outages() =>
    [
        new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)),
        new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"),
        new PostgresException("deadlock detected", "ERROR", "ERROR", "40P01"),
        new TimeoutException("Response did not arrive on time"),
        new AlreadyClosedException(new ShutdownEventArgs(ShutdownInitiator.Library, 541, "Unexpected exception")),
        new OperationInterruptedException(new ShutdownEventArgs(ShutdownInitiator.Peer, 320, "CONNECTION_FORCED")),
        new SiloUnavailableException("silo is dead"),
        new AggregateException(new InvalidOperationException("first"), new IOException("connection reset")),
        new Orleans.Runtime.OrleansException("activation failed", new NpgsqlException("Exception while reading from stream", new IOException())),
    ];

    public static TheoryData<Exception> RepeatingFailures() =>
    [
        new InvalidOperationException("Cannot read invalid UTF-16 JSON text as string"),
        new ArgumentException("An item with the same key has already been added. Key: a"),
        new PostgresException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", "22021"),
        new OperationInterruptedException(new ShutdownEventArgs(ShutdownInitiator.Peer, 406, "PRECONDITION_FAILED - message size 200000000 is larger than configured max size")),
        new OperationInterruptedException(new ShutdownEventArgs(ShutdownInitiator.Peer, 403, "ACCESS_REFUSED - queue name 'amq.x' contains reserved prefix 'amq.*'")),
    ];

    [Theory]
    [MemberData(nameof(Outages))]
    public void Unreachable_or_busy_services_are_outages(Exception error) => Assert.True(DeliveryFailure.IsOutage(error), error.ToString());

    [Theory]
    [MemberData(nameof(RepeatingFailures))]
    public void Refusals_and_bad_data_are_failures_that_repeat(Exception error) => Assert.False(DeliveryFailure.IsOutage(error), error.ToString());
}
