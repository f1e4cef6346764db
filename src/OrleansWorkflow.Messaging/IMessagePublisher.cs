namespace OrleansWorkflow.Messaging;

/// <summary>
/// Where the engine and its clients send workflow messages: the broker (<see cref="QueuePublisher"/>), or a test
/// host's queues in memory. A message is published once the call returns.
/// </summary>
internal interface IMessagePublisher
{
    /// <summary>Publishes one message and returns once it is kept by the queue.</summary>
    Task PublishAsync(OutgoingMessage message, CancellationToken cancellationToken = default);

    /// <summary>Publishes every message and returns once all are kept.</summary>
    Task PublishAllAsync(IEnumerable<OutgoingMessage> messages, CancellationToken cancellationToken = default);
}
