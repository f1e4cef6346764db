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

        var nodes = options.Nodes();
        try
        {
            var connection = nodes.Count == 1
                ? await factory.CreateConnectionAsync(cancellationToken)
                : await factory.CreateConnectionAsync(new NodesInOrder(nodes, certificate), factory.ClientProvidedName, cancellationToken);
            logger.LogInformation("Connected to RabbitMQ at {Broker} for {Purpose}{Node}", options.RedactedUri, purpose,
                nodes.Count == 1 ? "" : $" (node {connection.Endpoint.HostName}:{connection.Endpoint.Port} of {nodes.Count})");
            connection.ConnectionShutdownAsync += (_, e) =>
            {
                if (e.Initiator != ShutdownInitiator.Application)
                    logger.LogWarning("RabbitMQ connection for {Purpose} lost ({Reason}); recovering", purpose, e.ReplyText);
                return Task.CompletedTask;
            };
            connection.RecoverySucceededAsync += (_, _) =>
            {
                logger.LogInformation("RabbitMQ connection for {Purpose} recovered, to node {Host}:{Port}", purpose, connection.Endpoint.HostName, connection.Endpoint.Port);
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
                $"Cannot connect to RabbitMQ at {options.RedactedUri}{(nodes.Count == 1 ? "" : $" nor at any of its other nodes ({string.Join(", ", nodes.Skip(1).Select(n => $"{n.Host}:{n.Port}"))})")} ({e.GetBaseException().Message}). " +
                "Start the broker (./scripts/services.sh up starts a local one) or set RabbitMQ:Uri / OWF_RabbitMQ__Uri.", e);
        }
    }
}

/// <summary>The broker's nodes in the order configured: a connection, and each recovery, takes the first that answers.</summary>
internal sealed class NodesInOrder(IReadOnlyList<(string Host, int Port)> nodes, BrokerCertificate? certificate) : IEndpointResolver
{
    public IEnumerable<AmqpTcpEndpoint> All() =>
        nodes.Select(node => new AmqpTcpEndpoint(node.Host, node.Port, certificate?.SslOption(node.Host) ?? new SslOption()));
}
