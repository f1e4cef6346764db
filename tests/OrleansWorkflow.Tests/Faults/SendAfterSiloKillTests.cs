using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class SendAfterSiloKillCollection
{
    public const string Name = "fault-send-after-kill";
}

/// <summary>A message sent for 30 s later, its silo killed with SIGKILL meanwhile: the next silo sends it, once, on time.</summary>
[Collection(SendAfterSiloKillCollection.Name)]
public sealed class SendAfterSiloKillTests(ITestOutputHelper output)
{
    private const string Check = "Fire watch check of incident";

    [Fact]
    public async Task A_SendAfter_of_30_s_survives_a_silo_kill_and_arrives_once_no_sooner_than_30_s_after_it_was_sent()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var settings = new Dictionary<string, string> { ["OWF_Fire__WorkTime"] = "00:00:00" };

        Guid incident;
        DateTimeOffset sent;
        await using (var first = await SiloProcess.StartAsync(database, broker, settings))
        {
            await using var client = await first.ConnectAsync();
            incident = await client.CreateIncident("watched fire", FireWorkflow.Kind);
            sent = DateTimeOffset.UtcNow;
            await client.SendNow(FireWorkflow.FireWatch, new JsonObject
            {
                [WireContract.IncidentIdKey] = incident.ToString(), ["after_s"] = 30, ["complete"] = true,
            });
            await first.WaitForLogAsync("Fire watch set: next check in 30 s", TimeSpan.FromSeconds(30));
            await Eventually.UntilAsync(() => client.GetSteps(incident), s => s.Any(step => step.Outcome == StepOutcome.Completed), TimeSpan.FromSeconds(30), "the watch to be stored");
            await first.KillAsync();
            Assert.DoesNotContain(Check, first.Log);
        }

        await using var second = await SiloProcess.StartAsync(database, broker, settings);
        await using var restarted = await second.ConnectAsync();
        var end = await restarted.WaitForEndAsync(incident, TimeSpan.FromSeconds(90));

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var checks = (await restarted.GetSteps(incident)).Where(s => s.Queue == FireWorkflow.FireWatch && s.Originator == FireWorkflow.FireWatch).ToList();
        var check = Assert.Single(checks);
        var late = (check.StartedAt - sent).TotalSeconds;
        output.WriteLine($"the check started {late:0.0} s after the watch was sent");
        Assert.True(late >= 30, $"the check started {late:0.0} s after the watch was sent, before its 30 s");
        Assert.Single(second.Log.Split('\n'), line => line.Contains(Check));
    }
}
