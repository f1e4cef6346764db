using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class CrashAfterStateWriteCollection
{
    public const string Name = "fault-crash-after-state-write";
}

/// <summary>
/// A silo that dies at the worst moment, forced rather than hoped for: a handler has stored its state and its
/// effects, but has neither sent them nor acknowledged the message (Faults:KillAfterStateWrite).
/// </summary>
[Collection(CrashAfterStateWriteCollection.Name)]
public sealed class CrashAfterStateWriteTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_silo_killed_between_a_handlers_state_write_and_its_ack_leaves_every_effect_carried_out_exactly_once()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var fast = new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = "00:00:00" };
        await using var crashing = await SiloProcess.StartAsync(database, broker,
            new Dictionary<string, string>(fast) { ["OWF_Faults__KillAfterStateWrite"] = FireWorkflow.WeatherSimulation });
        List<Guid> incidents;
        await using (var client = await crashing.ConnectAsync())
            incidents = await FireLoad.StartAsync(client, 20);

        await crashing.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("In weather simulation handler", crashing.Log);

        await using var successor = await SiloProcess.StartAsync(database, broker, fast);
        await using var observer = await successor.ConnectAsync();
        var ends = await Task.WhenAll(incidents.Select(i => observer.WaitForEndAsync(i, TimeSpan.FromMinutes(2))));
        output.WriteLine($"the crashing silo ran {FireLoad.HandlerRuns(crashing)} handler steps before it died; its successor {FireLoad.HandlerRuns(successor)}");

        await FireLoad.AssertNothingLostOrRepeatedAsync(observer, broker, ends);
    }
}
