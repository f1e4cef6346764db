using System.Text;
using OrleansWorkflow.Messaging;
using RabbitMQ.Client;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>A fresh virtual host on the test broker, deleted on dispose, with a plain AMQP connection for the tests' own use.</summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private IConnection? _connection;

    private TestVirtualHost(string name) => Name = name;

    public string Name { get; }
    public string Uri => TestServices.RabbitMqUri(Name);

    public static async Task<TestVirtualHost> CreateAsync()
    {
        var host = new TestVirtualHost($"owf-test-{Guid.NewGuid():N}");
        await TestServices.RunAsync("rabbitmqctl", "-q", "add_vhost", host.Name);
        await TestServices.RunAsync("rabbitmqctl", "-q", "set_permissions", "-p", host.Name, "guest", ".*", ".*", ".*");
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

    /// <summary>Takes every message now in <paramref name="queue"/>.</summary>
    public async Task<List<BasicGetResult>> DrainAsync(string queue)
    {
        await using var channel = await ChannelAsync();
        await QueueTopology.DeclareAsync(channel, queue);
        var taken = new List<BasicGetResult>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            taken.Add(message);
        return taken;
    }

    public async Task<uint> CountAsync(string queue)
    {
        await using var channel = await ChannelAsync();
        var declared = await QueueTopology.DeclareAsync(channel, queue);
        return declared.MessageCount;
    }

    /// <summary>Messages in <paramref name="queue"/>, delivered-but-unacknowledged ones included (as the broker counts them).</summary>
    public async Task<int> ReadyAndUnackedAsync(string queue)
    {
        var listing = await TestServices.RunAsync("rabbitmqctl", "-q", "list_queues", "-p", Name, "--no-table-headers", "name", "messages");
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
        await TestServices.RunAsync("rabbitmqctl", "-q", "delete_vhost", Name);
    }
}
