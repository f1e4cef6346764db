using System.Diagnostics;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class ConsumerTimeoutCollection
{
    public const string Name = "fault-consumer-timeout";
}

/// <summary>
/// A database outage longer than the broker's consumer_timeout: the broker closes the channels of the consumers
/// that hold their deliveries. The consumers must come back on new channels, and every incident complete.
/// </summary>
[Collection(ConsumerTimeoutCollection.Name)]
public sealed class ConsumerTimeoutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ConsumerTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task PostgreSQL_stopped_past_the_brokers_consumer_timeout_leaves_consumers_that_come_back_and_complete_everything()
    {
        await using var rabbit = await PrivateRabbitMq.StartAsync($"consumer_timeout = {ConsumerTimeout.TotalMilliseconds}");
        await using var database = await PrivatePostgres.StartAsync();
        await using var broker = await TestVirtualHost.CreateAsync(rabbit.Node);
        await using var silo = await SiloProcess.StartAsync(database.ConnectionString, database.Name, broker,
            new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = "00:00:00.200" });
        await using var client = await silo.ConnectAsync();

        var incidents = await FireLoad.StartAsync(client, 100);

        await database.StopAsync();
        // The broker's own word that it closed a consumer's channel for holding a delivery too long.
        await Eventually.UntilAsync(() => Task.FromResult(rabbit.Log.Contains("delivery acknowledgement on channel")), closed => closed,
            ConsumerTimeout * 4, "the broker to close a consumer's channel (consumer_timeout)");
        var completedDuringOutage = await FireLoad.CompletedAsync(client, incidents);
        await database.StartAgainAsync();
        var recovery = Stopwatch.StartNew();

        var ends = await Task.WhenAll(incidents.Select(i => client.WaitForEndAsync(i, TimeSpan.FromMinutes(3))));
        var closed = silo.Log.Split('\n').Count(l => l.Contains("The broker closed the channel of queue"));
        Assert.True(closed > 0, "no consumer saw its channel closed");
        output.WriteLine($"{completedDuringOutage} of 100 completed during the outage; {closed} channels closed by the broker; all done {recovery.Elapsed.TotalSeconds:0.0} s after PostgreSQL came back");

        Assert.True(completedDuringOutage < 100, "every incident finished before the outage: the test proved nothing");
        await FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, ends);
        Assert.Contains("again on a new channel", silo.Log);
    }
}
