using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;
using RabbitMQ.Client;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Delivers every registered queue's messages into grain calls. It starts consuming once the silo is active and
/// stops before the silo's grains go away, so no delivery meets a dying silo.
/// </summary>
internal sealed class RabbitMqAdapter(
    IOptions<RabbitMqOptions> broker,
    IOptions<WorkflowOptions> limits,
    HandlerRegistry handlers,
    IGrainFactory grains,
    QueuePublisher publisher,
    TimeProvider clock,
    VersionRouting versions,
    ILoggerFactory loggers) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ILogger _logger = loggers.CreateLogger<RabbitMqAdapter>();
    private readonly OutageBackoff _outage = new(limits.Value, clock, loggers.CreateLogger<OutageBackoff>());
    private readonly List<QueueConsumer> _consumers = [];
    private readonly UrgencyGate _gate = new(clock);
    private IConnection? _connection;

    /// <summary>Whether the consumers' connection to the broker is open (it recovers by itself after a loss).</summary>
    public bool IsConnected => _connection is { IsOpen: true };

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RabbitMqAdapter), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = broker.Value;
        _connection = await RabbitMqConnections.OpenAsync(options, "consumers", _logger, cancellationToken);
        if (handlers.Queues.Count == 0)
            _logger.LogWarning("No handler is registered on this silo, so it consumes no queue. Register handlers on the builder AddOrleansWorkflow() returns: AddHandler<THandler>(\"queue\") or AddHandlersFrom(assembly)");
        // Each node has a queue per urgency, each with its own consumer: urgent messages never wait behind routine ones.
        foreach (var queue in handlers.Queues)
            foreach (var urgency in Enum.GetValues<Incidents.IncidentUrgency>())
            {
                var consumer = new QueueConsumer(queue, urgency, _gate, _connection, handlers, grains, publisher, options, limits.Value, _outage, versions, clock, loggers.CreateLogger<QueueConsumer>());
                await consumer.StartAsync(cancellationToken);
                _consumers.Add(consumer);
            }

        _logger.LogInformation("RabbitMQ adapter consuming {Count} {QueueType} queues of {Nodes} nodes, one per urgency (prefetch {Prefetch}, concurrency {Concurrency})",
            _consumers.Count, options.QueueType, handlers.Queues.Count, options.Prefetch, options.ConsumerConcurrency);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_consumers.Select(c => c.StopAsync(cancellationToken)));
        _consumers.Clear();
        if (_connection is not null)
            await _connection.DisposeAsync();
        _logger.LogInformation("RabbitMQ adapter stopped");
    }
}
