using System.Diagnostics;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class BrokerConnectionDropCollection
{
    public const string Name = "fault-broker-connections";
}

/// <summary>A real owf-silo whose RabbitMQ connections the broker closes (rabbitmqctl close_all_connections) twice while fire incidents keep arriving.</summary>
[Collection(BrokerConnectionDropCollection.Name)]
public sealed class BrokerConnectionDropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_broker_closing_every_engine_connection_twice_while_fire_incidents_keep_arriving_loses_and_repeats_nothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = "00:00:00.300" });
        await using var client = await silo.ConnectAsync();
        await using var feed = await FireFeed.StartAsync(client, first: 40);

        await DropConnectionsAsync(broker);
        var openAtFirstDrop = await feed.UnfinishedOfThoseFedBeforeAsync(DateTimeOffset.UtcNow);
        await silo.WaitForLogAsync("RabbitMQ connection for consumers recovered", TimeSpan.FromSeconds(60));
        await DropConnectionsAsync(broker);
        var openAtSecondDrop = await feed.UnfinishedOfThoseFedBeforeAsync(DateTimeOffset.UtcNow);
        var incidents = await feed.StopAsync();
        var recovery = Stopwatch.StartNew();
        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        output.WriteLine($"{incidents.Count} incidents fed; {openAtFirstDrop} fed before the first drop were unfinished after it, " +
            $"{openAtSecondDrop} after the second; {feed.PublishRetries} publishes retried; all ended {recovery.Elapsed.TotalSeconds:0.0} s after the second drop");

        Assert.True(openAtFirstDrop > 0 && openAtSecondDrop > 0, "no incident was half done at a drop: the test proved nothing");
        await FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, ends);
    }

    private static Task DropConnectionsAsync(TestVirtualHost broker) =>
        broker.Node.CtlAsync("close_all_connections", "-p", broker.Name, "fault test: connection dropped");
}
