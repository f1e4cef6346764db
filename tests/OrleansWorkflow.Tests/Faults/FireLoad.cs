using System.Text.Json.Nodes;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Faults;

/// <summary>The load of the fault tests: many local fire incidents at once, and the counts that prove nothing was lost or repeated.</summary>
public static class FireLoad
{
    /// <summary>How many times each handler of one (local) fire incident handles a message: once, and three times at the join.</summary>
    public static readonly IReadOnlyDictionary<string, int> HandledPerIncident = new Dictionary<string, int>
    {
        [FireWorkflow.FireTerrain] = 1, [FireWorkflow.FireHotspot] = 1, [FireWorkflow.WeatherData] = 1,
        [FireWorkflow.WeatherSimulation] = 1, [FireWorkflow.WeatherResults] = 1, [FireWorkflow.FireSimulation] = 3,
        [FireWorkflow.FireResults] = 1,
    };

    /// <summary>Creates <paramref name="count"/> fire incidents, then feeds them all and publishes at once.</summary>
    public static async Task<List<Guid>> StartAsync(WorkflowClient client, int count)
    {
        var incidents = new List<Guid>();
        for (var i = 0; i < count; i++)
            incidents.Add(await client.CreateIncident($"fire {i}", "FIRE"));
        foreach (var incident in incidents)
            foreach (var queue in FireWorkflow.Entry)
                await client.Send(queue, new JsonObject { [WireContract.IncidentIdKey] = incident.ToString(), ["data"] = "some data" });
        await client.FlushMessages();
        return incidents;
    }

    /// <summary>How many of <paramref name="incidents"/> are Completed now.</summary>
    public static async Task<int> CompletedAsync(WorkflowClient client, IEnumerable<Guid> incidents)
    {
        var infos = await Task.WhenAll(incidents.Select(client.GetIncident));
        return infos.Count(i => i.Status == IncidentStatus.Completed);
    }

    /// <summary>Fails, listing the queue's steps, unless every handler completed exactly its number of messages.</summary>
    public static void AssertHandledExactlyOnce(Guid incident, IReadOnlyList<IncidentStep> steps)
    {
        foreach (var (queue, expected) in HandledPerIncident)
        {
            var mine = steps.Where(s => s.Queue == queue).ToList();
            var completed = mine.Count(s => s.Outcome == StepOutcome.Completed);
            Assert.True(completed == expected, $"incident {incident}: {queue} completed {completed} steps, expected {expected}; its steps: " +
                string.Join("; ", mine.Select(s => $"{s.MessageId} from {s.Originator}: {s.Outcome} {s.Error}")));
        }
    }

    /// <summary>Fails, with each letter's queue and reason, when any fire queue dead-lettered a message.</summary>
    public static async Task AssertNothingDeadLetteredAsync(TestVirtualHost broker)
    {
        var letters = new List<string>();
        foreach (var queue in HandledPerIncident.Keys)
            foreach (var letter in await broker.DrainAsync(WireContract.DeadLetterQueue(queue)))
                letters.Add($"{queue}: {Engine.WorkflowTests.Header(letter, WireContract.ReasonHeader)}");
        Assert.True(letters.Count == 0, "dead-lettered: " + string.Join("; ", letters));
    }

    /// <summary>How many handler steps a silo process ran, counted from the sample handlers' greetings ("In … handler").</summary>
    public static int HandlerRuns(SiloProcess silo) => silo.Log.Split('\n').Count(IsHandlerGreeting);

    /// <summary>
    /// Waits until a handler of the fire sample ran in <paramref name="silo"/>. Which handlers a silo hosts is
    /// Orleans' placement: a silo that joined last may get none of the first steps, so any handler counts.
    /// </summary>
    public static Task WaitUntilAtWorkAsync(SiloProcess silo, TimeSpan timeout) =>
        silo.WaitForLogAsync(IsHandlerGreeting, "a handler's greeting (\"In … handler\")", timeout);

    private static bool IsHandlerGreeting(string line) => line.StartsWith("In ", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The counts of every fault test: each incident Completed, each handler step Completed exactly as often as its
    /// inputs, and no fire queue dead-lettered anything.
    /// </summary>
    public static async Task AssertNothingLostOrRepeatedAsync(WorkflowClient client, TestVirtualHost broker, IEnumerable<IncidentInfo> ends)
    {
        foreach (var end in ends)
        {
            Assert.True(end.Status == IncidentStatus.Completed, $"incident {end.IncidentId} is {end.Status}: {end.Reason}");
            AssertHandledExactlyOnce(end.IncidentId, await client.GetSteps(end.IncidentId));
        }
        await AssertNothingDeadLetteredAsync(broker);
    }
}
