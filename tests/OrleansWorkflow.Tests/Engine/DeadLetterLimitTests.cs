using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Engine;

[CollectionDefinition(Name)]
public sealed class DeadLetterLimitCollection
{
    public const string Name = "dead-letter-limit";
}

/// <summary>A real owf-silo with RabbitMQ:DeadLetterLimit = 2, fed more malformed messages than its dead-letter queue keeps.</summary>
[Collection(DeadLetterLimitCollection.Name)]
public sealed class DeadLetterLimitTests
{
    [Fact]
    public async Task Dead_letters_past_the_limit_are_refused_by_the_broker_logged_with_their_MessageID_and_hold_nothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string> { ["OWF_RabbitMQ__DeadLetterLimit"] = "2" });
        await silo.WaitForLogAsync("RabbitMQ adapter consuming", TimeSpan.FromSeconds(60));

        string[] sent = ["bad-1", "bad-2", "bad-3"];
        foreach (var id in sent)
            await broker.PublishRawAsync(FireWorkflow.FireTerrain, "not json", id);
        await silo.WaitForLogAsync("Dead-letter queue fire_terrain.dead-letter is full (RabbitMQ:DeadLetterLimit 2): message bad-", TimeSpan.FromSeconds(30));

        // Handled in parallel: any two are kept, and the third is the one logged.
        var kept = (await broker.DrainAsync(WireContract.DeadLetterQueue(FireWorkflow.FireTerrain))).Select(l => l.BasicProperties.MessageId!).ToList();
        Assert.Equal(2, kept.Count);
        var dropped = Assert.Single(sent.Except(kept));
        Assert.Contains($"is full (RabbitMQ:DeadLetterLimit 2): message {dropped} of fire_terrain, 8 bytes, dropped; reason: body is not JSON", silo.Log);
        Assert.Equal(0u, await broker.CountAsync(FireWorkflow.FireTerrain));
        var arguments = await broker.Node.CtlAsync("list_queues", "-p", broker.Name, "--no-table-headers", "name", "arguments");
        Assert.Contains("{\"x-max-length\",2}", arguments.Split('\n').Single(l => l.StartsWith("fire_terrain.dead-letter\t", StringComparison.Ordinal)));
    }
}
