using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace OrleansWorkflow.Messaging;

/// <summary>Opens connections to the configured broker, with automatic recovery, and says clearly when it cannot.</summary>
internal static class RabbitMqConnections
{
    public static async Task<IConnection> OpenAsync(RabbitMqOptions options, string purpose, ILogger logger, CancellationToken cancellationToken)
    {
        var broker = new Uri(options.Uri);
        var certificate = broker.Scheme == "amqps" ? new BrokerCertificate(options, broker) : null;
        var factory = new ConnectionFactory
        {
            Uri = broker,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            ClientProvidedName = $"orleans-workflow {purpose} ({Environment.MachineName})",
        };
        if (certificate is not null)
            factory.Ssl = certificate.SslOption();

        try
        {
            var connection = await factory.CreateConnectionAsync(cancellationToken);
            logger.LogInformation("Connected to RabbitMQ at {Broker} for {Purpose}", options.RedactedUri, purpose);
            connection.ConnectionShutdownAsync += (_, e) =>
            {
                if (e.Initiator != ShutdownInitiator.Application)
                    logger.LogWarning("RabbitMQ connection for {Purpose} lost ({Reason}); recovering", purpose, e.ReplyText);
                return Task.CompletedTask;
            };
            connection.RecoverySucceededAsync += (_, _) =>
            {
                logger.LogInformation("RabbitMQ connection for {Purpose} recovered", purpose);
                return Task.CompletedTask;
            };
            return connection;
        }
        catch (Exception e) when (certificate?.Refusal is { } refusal)
        {
            throw new InvalidOperationException($"Refused the TLS certificate of RabbitMQ at {options.RedactedUri}: {refusal}.", e);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"Cannot connect to RabbitMQ at {options.RedactedUri} ({e.GetBaseException().Message}). " +
                "Start the broker (./scripts/services.sh up starts a local one) or set RabbitMQ:Uri / OWF_RabbitMQ__Uri.", e);
        }
    }
}
