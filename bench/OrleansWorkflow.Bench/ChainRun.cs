using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansWorkflow.Client;
using OrleansWorkflow.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrleansWorkflow.Bench;

/// <summary>E1: messages/messages-per-hop incidents each send one message down the chain; done when every one reached the sink.</summary>
public static class ChainRun
{
    /// <summary>Creates the incidents (untimed) and returns the timed part: send, and wait for the sink.</summary>
    public static async Task<Func<Task>> PrepareAsync(WorkflowClient client, RabbitMqOptions broker, BenchOptions options)
    {
        var incidents = options.Messages / options.ChainLength;
        var ids = await Concurrently.RunAsync(incidents, _ => client.CreateIncident("bench chain", "BENCH"));
        // Pad the message so the engine carries bodies of the floors' size.
        var pad = new string('x', Math.Max(0, options.BodyBytes - 150));

        return async () =>
        {
            await using var connection = await RabbitMqConnections.OpenAsync(broker, "bench sink", NullLogger.Instance, CancellationToken.None);
            await using var channel = await connection.CreateChannelAsync();
            await QueueTopology.DeclareAsync(channel, ChainWorkflow.Sink);
            await channel.QueuePurgeAsync(ChainWorkflow.Sink);
            var arrived = 0;
            var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sink = new AsyncEventingBasicConsumer(channel);
            sink.ReceivedAsync += (_, _) =>
            {
                if (Interlocked.Increment(ref arrived) == incidents)
                    allArrived.TrySetResult();
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(ChainWorkflow.Sink, autoAck: true, sink);

            foreach (var id in ids)
                await client.Send(ChainWorkflow.Queue(1), new JsonObject { ["IncidentID"] = id.ToString(), ["pad"] = pad });
            await client.FlushMessages();
            await allArrived.Task;
        };
    }
}
