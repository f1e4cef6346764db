using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Simulations;

/// <summary>
/// Which of a machine's waiting simulations may be submitted now, by its limits (Hpc:Machines:&lt;name&gt;:
/// MaxQueuedJobs, MaxRunningJobs, SubmissionsPerMinute): the most urgent first, then the oldest; an Emergency may
/// pass the limits by EmergencyMargin. The rest keep waiting, in that order.
/// </summary>
internal static class MachineCapacity
{
    /// <summary>The waiting simulations (given in the order the machine heard of them, which breaks ties) in the order they are submitted.</summary>
    public static IEnumerable<SimulationInfo> InTurn(IEnumerable<SimulationInfo> waiting) =>
        waiting.OrderByDescending(s => s.Urgency).ThenBy(s => s.CreatedAt);

    /// <summary>
    /// The simulations of <paramref name="waiting"/> to submit now, given <paramref name="inScheduler"/> of the
    /// machine's jobs held by its scheduler and <paramref name="submittedLastMinute"/> submissions in the last minute.
    /// </summary>
    public static IReadOnlyList<SimulationInfo> ToSubmit(IEnumerable<SimulationInfo> waiting, int inScheduler, int submittedLastMinute, MachineOptions machine)
    {
        var held = Math.Min(machine.MaxQueuedJobs ?? int.MaxValue, machine.MaxRunningJobs ?? int.MaxValue);
        var rate = machine.SubmissionsPerMinute ?? int.MaxValue;
        var chosen = new List<SimulationInfo>();
        foreach (var simulation in InTurn(waiting))
        {
            var margin = simulation.Urgency == IncidentUrgency.Emergency ? machine.EmergencyMargin : 0;
            // Turns are kept: once one does not fit, none after it goes before it.
            if (inScheduler + chosen.Count >= Plus(held, margin) || submittedLastMinute + chosen.Count >= Plus(rate, margin))
                break;
            chosen.Add(simulation);
        }
        return chosen;
    }

    private static int Plus(int limit, int margin) => limit == int.MaxValue ? limit : limit + margin;
}
