using System.Text;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Wire;
using RabbitMQ.Client;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>A fresh virtual host on a test broker node, deleted on dispose, with a plain AMQP connection for the tests' own use.</summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private IConnection? _connection;

    private TestVirtualHost(string name, RabbitMqNode node)
    {
        Name = name;
        Node = node;
    }

    public string Name { get; }
    public RabbitMqNode Node { get; }
    public string Uri => Node.Uri(Name);

    /// <summary>A virtual host on <paramref name="node"/> (the shared broker when null) that guest may use.</summary>
    public static async Task<TestVirtualHost> CreateAsync(RabbitMqNode? node = null)
    {
        var host = new TestVirtualHost($"owf-test-{Guid.NewGuid():N}", node ?? RabbitMqNode.Shared);
        await host.Node.CtlAsync("add_vhost", host.Name);
        await host.Node.CtlAsync("set_permissions", "-p", host.Name, "guest", ".*", ".*", ".*");
        return host;
    }

    /// <summary>Publishes raw bytes as any AMQP client would, bypassing the engine.</summary>
    public async Task PublishRawAsync(string queue, byte[] body, string? messageId = null)
    {
        await using var channel = await ChannelAsync();
        await QueueTopology.DeclareAsync(channel, queue);
        var properties = new BasicProperties { Persistent = true, MessageId = messageId };
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: false, properties, body);
    }

    public Task PublishRawAsync(string queue, string body, string? messageId = null) =>
        PublishRawAsync(queue, Encoding.UTF8.GetBytes(body), messageId);

    /// <summary>Publishes to a queue the engine declared (of whatever type), with a confirm, as a plain AMQP producer would.</summary>
    public async Task PublishToExistingAsync(string queue, string body, string messageId)
    {
        _connection ??= await new ConnectionFactory { Uri = new System.Uri(Uri) }.CreateConnectionAsync();
        await using var channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, new BasicProperties { Persistent = true, MessageId = messageId }, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>Takes every message now in <paramref name="queue"/> (none when the queue does not exist).</summary>
    public async Task<List<BasicGetResult>> DrainAsync(string queue)
    {
        await using var channel = await ChannelAsync();
        var taken = new List<BasicGetResult>();
        if (await ExistingAsync(channel, queue) is null)
            return taken;
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            taken.Add(message);
        return taken;
    }

    /// <summary>
    /// Waits for the dead letter of <paramref name="queue"/> whose MessageID is <paramref name="messageId"/> and returns
    /// it; the other letters taken from the dead-letter queue meanwhile are dropped.
    /// </summary>
    public async Task<BasicGetResult> DeadLetterAsync(string queue, string messageId, TimeSpan patience)
    {
        var found = new List<BasicGetResult>();
        await Eventually.UntilAsync(async () =>
        {
            found.AddRange(await DrainAsync(WireContract.DeadLetterQueue(queue)));
            return found.Any(l => l.BasicProperties.MessageId == messageId);
        }, done => done, patience, $"the dead letter {messageId} of {queue}");
        return found.Single(l => l.BasicProperties.MessageId == messageId);
    }

    /// <summary>Ready messages in <paramref name="queue"/> (0 when it does not exist).</summary>
    public async Task<uint> CountAsync(string queue)
    {
        await using var channel = await ChannelAsync();
        return (await ExistingAsync(channel, queue))?.MessageCount ?? 0;
    }

    /// <summary>The queue as it is, whatever its type, or null when it does not exist (which closes the channel).</summary>
    private static async Task<QueueDeclareOk?> ExistingAsync(IChannel channel, string queue)
    {
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>Messages in <paramref name="queue"/>, delivered-but-unacknowledged ones included (as the broker counts them).</summary>
    public async Task<int> ReadyAndUnackedAsync(string queue)
    {
        var listing = await Node.CtlAsync("list_queues", "-p", Name, "--no-table-headers", "name", "messages");
        var row = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).Single(c => c[0] == queue);
        return int.Parse(row[1]);
    }

    private async Task<IChannel> ChannelAsync()
    {
        _connection ??= await new ConnectionFactory { Uri = new System.Uri(Uri) }.CreateConnectionAsync();
        return await _connection.CreateChannelAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        await Node.CtlAsync("delete_vhost", Name);
    }
}
