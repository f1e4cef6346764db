namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// A RabbitMQ cluster of a test's own: <see cref="PrivateRabbitMq"/> nodes on loopback (own node names, ports and data
/// directories), the second and later joined to the first.
/// </summary>
public sealed class RabbitMqCluster : IAsyncDisposable
{
    private RabbitMqCluster(IReadOnlyList<PrivateRabbitMq> nodes) => Nodes = nodes;

    public IReadOnlyList<PrivateRabbitMq> Nodes { get; }

    public static async Task<RabbitMqCluster> StartAsync(int size)
    {
        var nodes = new List<PrivateRabbitMq>();
        try
        {
            for (var i = 0; i < size; i++)
                nodes.Add(await PrivateRabbitMq.StartAsync());
            foreach (var node in nodes.Skip(1))
                await node.JoinAsync(nodes[0]);
            return new RabbitMqCluster(nodes);
        }
        catch
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>The engine's settings for this cluster: the first node in RabbitMQ:Uri (by <paramref name="virtualHost"/>), the others in RabbitMQ:Hosts.</summary>
    public Dictionary<string, string> Settings(TestVirtualHost virtualHost)
    {
        var settings = new Dictionary<string, string> { ["OWF_RabbitMQ__Uri"] = Nodes[0].Node.Uri(virtualHost.Name) };
        for (var i = 1; i < Nodes.Count; i++)
            settings[$"OWF_RabbitMQ__Hosts__{i - 1}"] = $"127.0.0.1:{Nodes[i].Node.Port}";
        return settings;
    }

    /// <summary>
    /// The node of each connection whose client properties contain <paramref name="named"/> (its connection name), from
    /// the cluster's own list asked of <paramref name="askedOf"/>; RabbitMQ 3.10 names a connection's node only in its pid.
    /// </summary>
    public async Task<IReadOnlyList<string>> NodesOfConnectionsAsync(PrivateRabbitMq askedOf, string named)
    {
        var listed = await askedOf.Node.CtlAsync("list_connections", "pid", "client_properties");
        return [.. listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.Contains(named, StringComparison.Ordinal))
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"<(?<node>[^.<>\s]+@[^.<>\s]+)\.").Groups["node"].Value)];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Reverse())
            await node.DisposeAsync();
    }
}
