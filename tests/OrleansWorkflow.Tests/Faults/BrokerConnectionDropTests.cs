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

/// <summary>A real owf-silo whose RabbitMQ connections the broker closes (rabbitmqctl close_all_connections) mid-run.</summary>
[Collection(BrokerConnectionDropCollection.Name)]
public sealed class BrokerConnectionDropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_broker_closing_every_engine_connection_twice_while_100_fire_incidents_run_loses_and_repeats_nothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = "00:00:00.300" });
        await using var client = await silo.ConnectAsync();

        var incidents = await FireLoad.StartAsync(client, 100);

        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await DropConnectionsAsync(broker);
        var completedAtFirstDrop = await FireLoad.CompletedAsync(client, incidents);
        await silo.WaitForLogAsync("RabbitMQ connection for consumers recovered", TimeSpan.FromSeconds(60));
        await DropConnectionsAsync(broker);
        var recovery = Stopwatch.StartNew();
        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        output.WriteLine($"{completedAtFirstDrop} of 100 completed at the first drop; all 100 {recovery.Elapsed.TotalSeconds:0.0} s after the second");

        Assert.True(completedAtFirstDrop < 100, "every incident finished before the first drop: the test proved nothing");
        await FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, ends);
    }

    private static Task DropConnectionsAsync(TestVirtualHost broker) =>
        broker.Node.CtlAsync("close_all_connections", "-p", broker.Name, "fault test: connection dropped");
}
