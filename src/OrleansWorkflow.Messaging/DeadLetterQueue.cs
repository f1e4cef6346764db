using System.Text;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Wire;
using RabbitMQ.Client;

namespace OrleansWorkflow.Messaging;

/// <summary>A message in a dead-letter queue: its id, why it is there, and its body as it arrived.</summary>
public sealed record DeadLetter(string? MessageId, string? Reason, string? OriginalQueue, string Body);

/// <summary>
/// The dead letters of one workflow queue (named by the workflow queue; they are in &lt;queue&gt;.dead-letter): read them, send one back to its queue to be handled
/// again, or discard one. Reading takes the letters without acknowledging them and gives them all back.
/// </summary>
public sealed class DeadLetterQueue(RabbitMqOptions options, ILogger logger)
{
    /// <summary>The dead letters of <paramref name="queue"/> with their reasons; they stay in the dead-letter queue.</summary>
    public Task<IReadOnlyList<DeadLetter>> ListAsync(string queue, CancellationToken cancellationToken = default) =>
        WithLettersAsync<IReadOnlyList<DeadLetter>>(queue, (_, letters) => Task.FromResult<IReadOnlyList<DeadLetter>>([.. letters.Select(l => l.Letter)]), cancellationToken);

    /// <summary>Publishes the letter with <paramref name="messageId"/> to its original queue, then removes it; false when there is none.</summary>
    public Task<bool> ReplayAsync(string queue, string messageId, CancellationToken cancellationToken = default) =>
        WithLettersAsync(queue, async (channel, letters) =>
        {
            var index = letters.FindIndex(l => l.Letter.MessageId == messageId);
            if (index < 0)
                return false;
            var found = letters[index];
            await using (var publisher = new QueuePublisher(options, NullLoggerOf<QueuePublisher>()))
                await publisher.PublishAsync(new OutgoingMessage(found.Letter.OriginalQueue ?? queue, Encoding.UTF8.GetBytes(found.Letter.Body), messageId), cancellationToken);
            await channel.BasicAckAsync(found.DeliveryTag, multiple: false, cancellationToken);
            logger.LogInformation("Replayed dead letter {MessageId} to {Queue}", messageId, found.Letter.OriginalQueue ?? queue);
            return true;
        }, cancellationToken);

    /// <summary>Removes the letter with <paramref name="messageId"/>; false when there is none.</summary>
    public Task<bool> DiscardAsync(string queue, string messageId, CancellationToken cancellationToken = default) =>
        WithLettersAsync(queue, async (channel, letters) =>
        {
            var index = letters.FindIndex(l => l.Letter.MessageId == messageId);
            if (index < 0)
                return false;
            var found = letters[index];
            await channel.BasicAckAsync(found.DeliveryTag, multiple: false, cancellationToken);
            logger.LogInformation("Discarded dead letter {MessageId} of {Queue}", messageId, queue);
            return true;
        }, cancellationToken);

    private async Task<T> WithLettersAsync<T>(string queue, Func<IChannel, List<(DeadLetter Letter, ulong DeliveryTag)>, Task<T>> act, CancellationToken cancellationToken)
    {
        WireContract.ValidateQueueName(queue);
        var deadLetterQueue = WireContract.DeadLetterQueue(queue);
        await using var connection = await RabbitMqConnections.OpenAsync(options, "dead letters", logger, cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclarePassiveAsync(deadLetterQueue, cancellationToken);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            throw new ArgumentException($"There is no queue {deadLetterQueue}: check the queue name (nothing was ever dead-lettered from {queue}).", nameof(queue), e);
        }

        var letters = new List<(DeadLetter, ulong)>();
        while (await channel.BasicGetAsync(deadLetterQueue, autoAck: false, cancellationToken) is { } taken)
        {
            var headers = taken.BasicProperties.Headers;
            letters.Add((new DeadLetter(taken.BasicProperties.MessageId, AmqpHeaders.Text(headers, WireContract.ReasonHeader),
                AmqpHeaders.Text(headers, WireContract.OriginalQueueHeader), Encoding.UTF8.GetString(taken.Body.Span)), taken.DeliveryTag));
        }
        // Letters not acted on go back when the channel closes unacknowledged.
        return await act(channel, letters);
    }

    private static ILogger<TCategory> NullLoggerOf<TCategory>() => Microsoft.Extensions.Logging.Abstractions.NullLogger<TCategory>.Instance;
}
