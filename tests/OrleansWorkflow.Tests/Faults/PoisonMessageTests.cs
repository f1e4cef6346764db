using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class PoisonMessageCollection
{
    public const string Name = "fault-poison-message";
}

/// <summary>
/// A message whose handler kills its process (Faults:KillWhenHandling) on a classic queue, which counts no
/// deliveries: each silo that takes it dies, until the engine's own count passes RabbitMQ:DeliveryLimit.
/// </summary>
[Collection(PoisonMessageCollection.Name)]
public sealed class PoisonMessageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_message_that_kills_every_silo_handling_it_is_dead_lettered_past_the_delivery_limit_and_the_next_silo_lives()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var (incident, messageId, third) = await KillTwoSilosAsync(database, broker, QueueType.Classic);
        await using var _ = third;

        var letter = await broker.DeadLetterAsync(FireWorkflow.FireTerrain, messageId, TimeSpan.FromSeconds(60));
        await using var observer = await third.ConnectAsync();
        var info = await observer.GetIncident(incident);
        var reason = Engine.WorkflowTests.Header(letter, WireContract.ReasonHeader);
        output.WriteLine($"dead-lettered: {reason}; incident {info.Status}: {info.Reason}");

        Assert.Contains("delivered 3 times without an outcome", reason);
        Assert.Contains("RabbitMQ:DeliveryLimit is 1", reason);
        Assert.Equal(IncidentStatus.Error, info.Status);
        Assert.Contains("delivered 3 times", info.Reason);
        Assert.Equal(0u, await broker.CountAsync(FireWorkflow.FireTerrain));
        Assert.DoesNotContain("Fault injection: killing", third.Log);
        Assert.False(third.HasExited, "the third silo took the message and died: the limit did not hold");
    }

    [Fact]
    public async Task On_a_quorum_queue_a_message_that_kills_every_silo_handling_it_is_dead_lettered_by_the_broker_at_its_delivery_limit()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var (incident, messageId, third) = await KillTwoSilosAsync(database, broker, QueueType.Quorum);
        await using var _ = third;

        var letter = await broker.DeadLetterAsync(FireWorkflow.FireTerrain, messageId, TimeSpan.FromSeconds(60));
        await using var observer = await third.ConnectAsync(queueType: QueueType.Quorum);
        var info = await observer.GetIncident(incident);
        output.WriteLine($"dead-lettered by the broker; headers: {string.Join(", ", letter.BasicProperties.Headers?.Keys ?? [])}; incident {info.Status}: {info.Reason}");

        Assert.Equal(messageId, letter.BasicProperties.MessageId);
        Assert.Equal("delivery_limit", Engine.WorkflowTests.Header(letter, "x-first-death-reason"));
        Assert.Equal(0u, await broker.CountAsync(FireWorkflow.FireTerrain));
        Assert.DoesNotContain("Fault injection: killing", third.Log);
        Assert.False(third.HasExited, "the third silo took the message and died: the broker's limit did not hold");
    }

    /// <summary>
    /// Sends a fire incident's terrain message to silos that die when they handle it (Faults:KillWhenHandling) with a
    /// delivery limit of 1: the first silo dies on the delivery, a second on the one redelivery the limit allows (it may
    /// not have finished starting), and a third is returned running, for the test to see what became of the message.
    /// </summary>
    private static async Task<(Guid Incident, string MessageId, SiloProcess Third)> KillTwoSilosAsync(TestDatabase database, TestVirtualHost broker, QueueType queues)
    {
        var settings = new Dictionary<string, string>
        {
            ["OWF_Faults__KillWhenHandling"] = FireWorkflow.FireTerrain,
            ["OWF_RabbitMQ__QueueType"] = queues.ToString().ToLowerInvariant(),
            ["OWF_RabbitMQ__DeliveryLimit"] = "1",
        };
        Guid incident;
        string messageId;
        await using (var first = await SiloProcess.StartAsync(database, broker, settings))
        {
            await using var client = await first.ConnectAsync(queueType: queues);
            incident = await client.CreateIncident($"poisoned fire on a {queues} queue", "FIRE");
            messageId = await client.SendNow(FireWorkflow.FireTerrain, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString() });
            await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        await using (var second = await SiloProcess.StartAsync(database, broker, settings, untilReady: false))
            await second.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (incident, messageId, await SiloProcess.StartAsync(database, broker, settings));
    }
}
