using System.Text;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;
using RabbitMQ.Client;

namespace OrleansWorkflow.Tests.Engine;

[CollectionDefinition(Name)]
public sealed class QuorumQueueCollection
{
    public const string Name = "quorum-queues";
}

/// <summary>A real owf-silo with RabbitMQ:QueueType = quorum, on a virtual host of the test's own.</summary>
[Collection(QuorumQueueCollection.Name)]
public sealed class QuorumQueueTests
{
    [Fact]
    public async Task With_quorum_queues_a_fire_incident_completes_and_every_queue_carries_its_delivery_limit_and_dead_letter_route()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string>
        {
            ["OWF_RabbitMQ__QueueType"] = "quorum",
            ["OWF_RabbitMQ__DeliveryLimit"] = "7",
            ["OWF_Fire__WorkTime"] = "00:00:00.020",
        });
        await using var client = await silo.ConnectAsync(queueType: QueueType.Quorum);

        var incident = await Examples.StartFireAsync(client);
        var end = await client.WaitForEndAsync(incident, TimeSpan.FromSeconds(60));

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var queues = (await broker.Node.CtlAsync("list_queues", "-p", broker.Name, "name", "type", "arguments"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split('\t')[0]);
        Assert.Contains("quorum", queues[FireWorkflow.FireSimulation]);
        Assert.Contains("{\"x-delivery-limit\",7}", queues[FireWorkflow.FireSimulation]);
        Assert.Contains("{\"x-dead-letter-routing-key\",\"fire_simulation.dead-letter\"}", queues[FireWorkflow.FireSimulation]);
        Assert.Contains("quorum", queues["fire_simulation.dead-letter"]);
        Assert.DoesNotContain("x-delivery-limit", queues["fire_simulation.dead-letter"]);
    }

    [Fact]
    public async Task A_silo_switched_to_quorum_queues_uses_the_classic_queues_that_exist_and_declares_the_missing_ones_quorum()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        // Queues an earlier, classic configuration declared.
        await using (var connection = await new ConnectionFactory { Uri = new Uri(broker.Uri) }.CreateConnectionAsync())
        await using (var setup = await connection.CreateChannelAsync())
        {
            await QueueTopology.DeclareAsync(setup, FireWorkflow.FireTerrain);
            await QueueTopology.DeclareAsync(setup, WireContract.DeadLetterQueue(FireWorkflow.FireTerrain));
        }

        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string>
        {
            ["OWF_RabbitMQ__QueueType"] = "quorum",
            ["OWF_Fire__WorkTime"] = "00:00:00.020",
        });
        await using var client = await silo.ConnectAsync(queueType: QueueType.Quorum);
        var end = await client.WaitForEndAsync(await Examples.StartFireAsync(client), TimeSpan.FromSeconds(60));

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var types = (await broker.Node.CtlAsync("list_queues", "-p", broker.Name, "--no-table-headers", "name", "type"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[1].Trim());
        Assert.Equal("classic", types[FireWorkflow.FireTerrain]);
        Assert.Equal("classic", types["fire_terrain.dead-letter"]);
        Assert.Equal("quorum", types[FireWorkflow.FireSimulation]);
    }
}
