using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansWorkflow.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansWorkflow.Bench;

/// <summary>
/// The floors the engine is measured against, on the same broker and database with the engine's own queue
/// declaration, prefetch and consumer concurrency. R1: publish persistent messages with confirms, consume and ack
/// each. R2: the same plus one committed PostgreSQL write per message before its ack.
/// </summary>
public static class RawFloor
{
    private const int PublishesInFlight = 512;

    public static async Task RunAsync(BenchEnvironment environment, RabbitMqOptions broker, int messages, int bodyBytes, bool writeState)
    {
        var queue = writeState ? "bench_r2" : "bench_r1";
        await using var connection = await RabbitMqConnections.OpenAsync(broker, "bench floor", NullLogger.Instance, CancellationToken.None);
        await using var consuming = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: broker.ConsumerConcurrency));
        await QueueTopology.DeclareAsync(consuming, queue);
        await consuming.QueuePurgeAsync(queue);
        await consuming.BasicQosAsync(0, broker.Prefetch, global: false);

        await using var database = NpgsqlDataSource.Create(environment.Database);
        if (writeState)
        {
            await using var create = database.CreateCommand("CREATE TABLE IF NOT EXISTS bench_r2 (id bigint PRIMARY KEY, doc text NOT NULL); TRUNCATE bench_r2");
            await create.ExecuteNonQueryAsync();
        }

        var acked = 0;
        var allAcked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(consuming);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            if (writeState)
            {
                await using var write = database.CreateCommand("INSERT INTO bench_r2 (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc");
                write.Parameters.Add(new NpgsqlParameter { Value = (long)delivery.DeliveryTag });
                write.Parameters.Add(new NpgsqlParameter { Value = System.Text.Encoding.UTF8.GetString(delivery.Body.Span) });
                await write.ExecuteNonQueryAsync();
            }
            await consuming.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            if (Interlocked.Increment(ref acked) == messages)
                allAcked.TrySetResult();
        };
        await consuming.BasicConsumeAsync(queue, autoAck: false, consumer);

        await using var publishing = await connection.CreateChannelAsync(QueuePublisher.ConfirmedChannel);
        var body = new byte[bodyBytes];
        Array.Fill(body, (byte)'x');
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        using var window = new SemaphoreSlim(PublishesInFlight);
        var published = new List<Task>(messages);
        for (var i = 0; i < messages; i++)
        {
            await window.WaitAsync();
            published.Add(PublishAsync(publishing, queue, properties, body, window));
        }
        await Task.WhenAll(published);
        await allAcked.Task;
    }

    private static async Task PublishAsync(IChannel channel, string queue, BasicProperties properties, byte[] body, SemaphoreSlim window)
    {
        try
        {
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: false, properties, body);
        }
        finally
        {
            window.Release();
        }
    }
}
