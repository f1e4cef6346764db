using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;

namespace OrleansWorkflow.Tests.Faults;

public static class FireCounts
{
    /// <summary>How many times each handler of one (local) fire incident handles a message: once, and three times at the join.</summary>
    public static readonly IReadOnlyDictionary<string, int> HandledPerIncident = new Dictionary<string, int>
    {
        [FireWorkflow.FireTerrain] = 1, [FireWorkflow.FireHotspot] = 1, [FireWorkflow.WeatherData] = 1,
        [FireWorkflow.WeatherSimulation] = 1, [FireWorkflow.WeatherResults] = 1, [FireWorkflow.FireSimulation] = 3,
        [FireWorkflow.FireResults] = 1,
    };

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
}
