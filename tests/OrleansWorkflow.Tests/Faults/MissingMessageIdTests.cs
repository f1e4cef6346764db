using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Faults;

[CollectionDefinition(Name)]
public sealed class MissingMessageIdCollection
{
    public const string Name = "fault-missing-message-id";
}

/// <summary>
/// A plain AMQP producer sends no MessageID. The silo dies right after the handler stored the job it is to submit;
/// a new silo gets the redelivery. The message must be known as the same one, so the job is submitted once.
/// </summary>
[Collection(MissingMessageIdCollection.Name)]
public sealed class MissingMessageIdTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_message_without_MessageID_redelivered_after_a_crash_submits_one_job()
    {
        var machine = LoopbackHpc.Require(LoopbackHpc.Options());
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var settings = LoopbackHpc.RemoteFireSilo();

        Guid incident;
        await using (var crashing = await SiloProcess.StartAsync(database, broker,
            new Dictionary<string, string>(settings) { ["OWF_Faults__KillAfterStateWrite"] = FireWorkflow.FireSubmitJob }))
        {
            await using (var client = await crashing.ConnectAsync())
                incident = await client.CreateIncident("fire from a plain producer", "FIRE");
            await TestServices.RunAsync("amqp-publish", "--url", broker.Uri, "-r", FireWorkflow.FireSubmitJob, "-p", "-C", "application/json",
                "-b", $"{{\"IncidentID\": \"{incident}\"}}");
            await crashing.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Contains("In fire submit job handler", crashing.Log);
        }

        await using var successor = await SiloProcess.StartAsync(database, broker, settings);
        await using var observer = await successor.ConnectAsync();
        var end = await observer.WaitForEndAsync(incident, TimeSpan.FromMinutes(2));
        output.WriteLine(string.Join("\n", successor.Log.Split('\n').Where(l => l.Contains("Simulation ") || l.Contains("fire_submit_job"))));

        Assert.Equal(IncidentStatus.Completed, end.Status);
        Assert.Single(await LoopbackHpc.JobsUnderAsync($"{machine.BaseDirectory}/{incident}"));
        Assert.Single(await observer.GetSimulations(incident));
        var steps = await observer.GetSteps(incident);
        Assert.Single(steps, s => s.Queue == FireWorkflow.FireSubmitJob && s.Outcome == StepOutcome.Completed);
        Assert.Single(steps, s => s.Queue == FireWorkflow.RemoteFireResults && s.Outcome == StepOutcome.Completed);
    }
}
