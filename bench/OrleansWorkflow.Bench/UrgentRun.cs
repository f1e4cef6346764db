using System.Diagnostics;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Starter;

namespace OrleansWorkflow.Bench;

public sealed record UrgentResult(int Routine, int RoutineCompleted, double EmergencySeconds, double ControlSeconds, double RoutineP50Ms, TimeSpan Elapsed);

/// <summary>
/// U: N routine fire incidents started at once, then one Emergency fire incident: how long the emergency takes from
/// its creation to Completed while the routine backlog is handled, and whether every routine incident still completes.
/// A routine incident created with the emergency is the control: what the emergency would take without its urgency.
/// </summary>
public static class UrgentRun
{
    public static async Task<UrgentResult> RunAsync(WorkflowClient client, int routine, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        var backlog = await Concurrently.RunAsync(routine, _ => Examples.StartFireAsync(client));
        Console.WriteLine($"[bench]   U: {routine} routine fire incidents started in {clock.Elapsed.TotalSeconds:0.0} s; starting one Emergency");

        var emergency = await Examples.StartFireAsync(client, urgency: IncidentUrgency.Emergency);
        var control = await Examples.StartFireAsync(client);
        var ended = await client.WaitForEndAsync(emergency, patience);
        var emergencySeconds = (ended.UpdatedAt - ended.CreatedAt).TotalSeconds;
        var stillRunning = (await Task.WhenAll(backlog.Select(client.GetIncident))).Count(i => !i.Status.IsFinished());
        Console.WriteLine($"[bench]   U: the Emergency ended {ended.Status} {emergencySeconds:0.00} s after its creation, with {stillRunning} routine incidents unfinished");

        var finished = await FireRun.WaitAsync(client, [.. backlog, control], clock, patience, "U");
        var controlSeconds = finished.FirstOrDefault(i => i.IncidentId == control) is { } done ? (done.UpdatedAt - done.CreatedAt).TotalSeconds : double.NaN;
        finished.RemoveAll(i => i.IncidentId == control);
        var latencies = FireRun.Latencies(finished);
        return new UrgentResult(routine, finished.Count, ended.Status == IncidentStatus.Completed ? emergencySeconds : double.NaN, controlSeconds,
            latencies.Length > 0 ? FireRun.Percentile(latencies, 0.50) : double.NaN, clock.Elapsed);
    }
}
