using System.Diagnostics;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class BrokerRestartCollection
{
    public const string Name = "fault-broker-restart";
}

/// <summary>A real owf-silo on a RabbitMQ node of the test's own, which is shut down and started again while fire incidents keep arriving.</summary>
[Collection(BrokerRestartCollection.Name)]
public sealed class BrokerRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Restarting_RabbitMQ_while_fire_incidents_keep_arriving_loses_and_repeats_nothing()
    {
        await using var rabbit = await PrivateRabbitMq.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync(rabbit.Node);
        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = "00:00:00.300" });
        await using var client = await silo.ConnectAsync();
        await using var feed = await FireFeed.StartAsync(client, first: 40);

        var down = Stopwatch.StartNew();
        await rabbit.StopAsync();
        var openWhenStopped = await feed.UnfinishedOfThoseFedBeforeAsync(DateTimeOffset.UtcNow);
        await Task.Delay(TimeSpan.FromSeconds(10));
        await rabbit.StartAgainAsync();
        output.WriteLine($"broker down {down.Elapsed.TotalSeconds:0.0} s; {openWhenStopped} incidents fed before it stopped were unfinished");
        await silo.WaitForLogAsync("RabbitMQ connection for consumers recovered", TimeSpan.FromSeconds(60));
        var incidents = await feed.StopAsync();
        var recovery = Stopwatch.StartNew();

        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        output.WriteLine($"all {incidents.Count} ended {recovery.Elapsed.TotalSeconds:0.0} s after the feed stopped; {feed.PublishRetries} publishes retried");

        Assert.True(openWhenStopped > 0, "no incident was half done when the broker stopped: the test proved nothing");
        await FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, ends);
        Assert.Contains("RabbitMQ connection for consumers lost", silo.Log);
        Assert.Contains("RabbitMQ connection for consumers recovered", silo.Log);
    }
}
