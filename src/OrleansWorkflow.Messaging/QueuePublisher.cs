using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Messaging.Telemetry;
using RabbitMQ.Client;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Messaging;

/// <summary>
/// Publishes persistent messages and returns only once the broker confirmed them. One channel with confirm tracking
/// is shared by every caller: many grains' confirms are in flight at once instead of one round trip after another.
/// </summary>
public sealed class QueuePublisher : IAsyncDisposable, IMessagePublisher
{
    private readonly RabbitMqOptions _options;
    private readonly ILogger _logger;
    private readonly QueueTopology _topology;
    private readonly SemaphoreSlim _open = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    /// <summary>
    /// Confirms tracked per publish, without the client's default throttle (it delays every publish once 64 confirms
    /// are outstanding, which is the normal state of a busy engine). What is outstanding stays bounded by the
    /// consumers' prefetch: every publish comes from a handled delivery or a client's flush.
    /// </summary>
    internal static CreateChannelOptions ConfirmedChannel { get; } =
        new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null);

    /// <summary>A publisher on the broker of <paramref name="options"/>; it connects at its first message.</summary>
    public QueuePublisher(RabbitMqOptions options, ILogger<QueuePublisher> logger)
    {
        _options = options;
        _logger = logger;
        _topology = new QueueTopology(options);
    }

    /// <summary>Publishes one message and returns once the broker confirmed it.</summary>
    internal async Task PublishAsync(OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        using var activity = message.IncidentId is { } incident ? WorkflowTracing.StartMessaging("publish", message.Queue, message.MessageId, incident) : null;
        var channel = await ChannelAsync(cancellationToken);
        await _topology.EnsureDeclaredAsync(_connection!, message.Queue, cancellationToken);
        var headers = message.Headers?.ToDictionary(h => h.Key, h => h.Value);
        if (activity is not null)
            WorkflowTracing.Inject(activity, headers ??= []);
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = WireContract.ContentType,
            MessageId = message.MessageId,
            Headers = headers,
        };
        await channel.BasicPublishAsync(exchange: string.Empty, routingKey: message.Queue, mandatory: false, properties, message.Body, cancellationToken);
    }

    /// <summary>Publishes every message and returns once the broker confirmed them all (one round of confirms for the batch).</summary>
    internal async Task PublishAllAsync(IEnumerable<OutgoingMessage> messages, CancellationToken cancellationToken = default) =>
        await Task.WhenAll(messages.Select(m => PublishAsync(m, cancellationToken)));

    Task IMessagePublisher.PublishAsync(OutgoingMessage message, CancellationToken cancellationToken) => PublishAsync(message, cancellationToken);

    Task IMessagePublisher.PublishAllAsync(IEnumerable<OutgoingMessage> messages, CancellationToken cancellationToken) => PublishAllAsync(messages, cancellationToken);

    private async ValueTask<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
            return open;

        await _open.WaitAsync(cancellationToken);
        try
        {
            if (_channel is { IsOpen: true } reopened)
                return reopened;
            _connection ??= await RabbitMqConnections.OpenAsync(_options, "publisher", _logger, cancellationToken);
            if (_channel is not null)
                await _channel.DisposeAsync();
            _topology.Reset();
            _channel = await _connection.CreateChannelAsync(ConfirmedChannel, cancellationToken);
            return _channel;
        }
        finally
        {
            _open.Release();
        }
    }

    /// <summary>Closes the publisher's channel and connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
            await _channel.DisposeAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
        _open.Dispose();
    }
}
