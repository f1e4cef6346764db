using System.Diagnostics;
using System.Text.Json.Nodes;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class BrokerNodeKillCollection
{
    public const string Name = "broker node kill";
}

/// <summary>
/// Two silos on a three-node RabbitMQ cluster of the test's own, with quorum queues (replicated on every node). The
/// node the silos are connected to is killed with SIGKILL while fire incidents are handled: their connections recover
/// to another node, the quorum queues elect new leaders, and every incident completes with each step done once.
/// </summary>
[Collection(BrokerNodeKillCollection.Name)]
public sealed class BrokerNodeKillTests(ITestOutputHelper output)
{
    private const int Incidents = 100;

    [Fact]
    public async Task Killing_the_broker_node_both_silos_use_while_100_fire_incidents_run_loses_and_repeats_nothing_and_owf_works_without_it()
    {
        await using var rabbit = await RabbitMqCluster.StartAsync(3);
        await using var database = await TestDatabase.CreateAsync();
        // The test's own AMQP connection and rabbitmqctl go through the third node, which lives; the silos start on the first.
        await using var broker = await TestVirtualHost.CreateAsync(rabbit.Nodes[2].Node);
        var settings = new Dictionary<string, string>(rabbit.Settings(broker))
        {
            ["OWF_RabbitMQ__QueueType"] = "Quorum",
            ["OWF_Cluster__Membership"] = "postgresql",
            ["OWF_Fire__WorkTime"] = "00:00:00.200",
        };
        await using var first = await SiloProcess.StartAsync(database, broker, settings);
        await using var second = await SiloProcess.StartAsync(database, broker, settings);
        await using var client = await first.ConnectAsync(membershipDatabase: database.ConnectionString, queueType: QueueType.Quorum);
        var victim = rabbit.Nodes[0];
        // Both silos' consumers are on the first node (connections take the nodes in the order given).
        Assert.Equal([victim.Node.NodeName!, victim.Node.NodeName!], await rabbit.NodesOfConnectionsAsync(rabbit.Nodes[2], "orleans-workflow consumers"));

        // Created through the gateway, fed by a plain AMQP client on another node, as outside producers do.
        var incidents = new List<Guid>();
        for (var i = 0; i < Incidents; i++)
            incidents.Add(await client.CreateIncident($"fire {i}", FireWorkflow.Kind));
        foreach (var incident in incidents)
            foreach (var queue in FireWorkflow.Entry)
                await broker.PublishToExistingAsync(queue, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString(), ["data"] = "some data" }.ToJsonString(), Guid.NewGuid().ToString());
        await FireLoad.WaitUntilAtWorkAsync(first, TimeSpan.FromSeconds(60));

        await victim.KillAsync();
        try
        {
            await WithTheFirstNodeDownAsync(rabbit, broker, first, second, client, incidents);
        }
        finally
        {
            // A cluster with a node down cannot delete the test's virtual host: the node comes back first.
            await victim.StartAgainAsync();
        }
    }

    private async Task WithTheFirstNodeDownAsync(RabbitMqCluster rabbit, TestVirtualHost broker, SiloProcess first, SiloProcess second, WorkflowClient client, List<Guid> incidents)
    {
        var killed = Stopwatch.StartNew();
        var completedAtKill = await FireLoad.CompletedAsync(client, incidents);
        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        var lastCompletion = killed.Elapsed;
        output.WriteLine($"{completedAtKill} of {Incidents} completed at the kill; the last completed {lastCompletion.TotalSeconds:0.0} s after it; " +
                         $"handler steps: first silo {FireLoad.HandlerRuns(first)}, second {FireLoad.HandlerRuns(second)}");

        Assert.True(completedAtKill < Incidents, "every incident had completed before the kill: it hit no work in flight");
        await FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, ends);
        Assert.Contains("RabbitMQ connection for consumers recovered, to node", first.Log);
        Assert.Contains("RabbitMQ connection for consumers recovered, to node", second.Log);

        // With the first node still down, owf and the client library reach the cluster through the others.
        var (exit, created, errors) = await OwfCommand.RunAsync(first, "create", "while a broker node is down", FireWorkflow.Kind);
        Assert.True(exit == 0, errors);
        var late = Guid.Parse(created.Trim());
        foreach (var queue in FireWorkflow.Entry)
        {
            var (sent, _, sendErrors) = await OwfCommand.RunAsync(first, "send", late.ToString(), queue, "--data", "{\"data\": \"some data\"}");
            Assert.True(sent == 0, sendErrors);
        }
        Assert.Equal(IncidentStatus.Completed, (await client.WaitForEndAsync(late, TimeSpan.FromMinutes(1))).Status);
        await using var library = await WorkflowClient.ConnectAsync(new WorkflowClientOptions
        {
            RabbitMq = { Uri = first.BrokerUri, Hosts = [.. first.BrokerHosts], QueueType = QueueType.Quorum },
            GatewayPort = first.GatewayPort, ServiceId = first.ServiceId, ClusterId = first.ServiceId,
            ApiKey = await first.AdminKeyAsync(),
        });
        var another = await OrleansWorkflow.Samples.Starter.Examples.StartFireAsync(library);
        Assert.Equal(IncidentStatus.Completed, (await library.WaitForEndAsync(another, TimeSpan.FromMinutes(1))).Status);
    }
}
