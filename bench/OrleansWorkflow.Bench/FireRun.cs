using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Starter;

namespace OrleansWorkflow.Bench;

public sealed record FireResult(int N, int Completed, double IncidentsPerSecond, double P50Ms, double P95Ms, double P99Ms, TimeSpan Elapsed);

/// <summary>F: N fire incidents (handler work time 0) started at once; each one's time from create to Completed.</summary>
public static class FireRun
{
    public static async Task<FireResult> RunAsync(WorkflowClient client, int n, TimeSpan patience)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var incidents = await Concurrently.RunAsync(n, _ => Examples.StartFireAsync(client));
        var finished = await WaitAsync(client, incidents, clock, patience, $"F n={n}");

        if (finished.Count == 0)
            return new FireResult(n, 0, 0, double.NaN, double.NaN, double.NaN, clock.Elapsed);
        var latencies = Latencies(finished);
        var span = finished.Max(i => i.UpdatedAt) - finished.Min(i => i.CreatedAt);
        return new FireResult(n, finished.Count, finished.Count / span.TotalSeconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), clock.Elapsed);
    }

    /// <summary>Waits until every incident completed (or patience ran out) and returns the completed ones, showing progress.</summary>
    public static async Task<List<IncidentInfo>> WaitAsync(WorkflowClient client, IReadOnlyCollection<Guid> incidents, System.Diagnostics.Stopwatch clock, TimeSpan patience, string label)
    {
        var n = incidents.Count;
        var finished = new List<IncidentInfo>(n);
        var waiting = new Queue<Guid>(incidents);
        var lastProgress = TimeSpan.Zero;
        while (waiting.Count > 0 && clock.Elapsed < patience)
        {
            // Incidents finish roughly in creation order: look at the oldest ones, and rest when they are not done.
            var batch = Enumerable.Range(0, Math.Min(256, waiting.Count)).Select(_ => waiting.Dequeue()).ToList();
            var infos = await Task.WhenAll(batch.Select(client.GetIncident));
            finished.AddRange(infos.Where(i => i.Status == IncidentStatus.Completed));
            foreach (var open in infos.Where(i => i.Status != IncidentStatus.Completed))
                waiting.Enqueue(open.IncidentId);
            if (infos.All(i => i.Status != IncidentStatus.Completed))
                await Task.Delay(200);
            if (clock.Elapsed - lastProgress > TimeSpan.FromSeconds(10))
            {
                lastProgress = clock.Elapsed;
                Console.WriteLine($"[bench]   {label}: {finished.Count} of {n} completed after {clock.Elapsed.TotalSeconds:0} s");
            }
        }
        return finished;
    }

    /// <summary>Each incident's time from creation to its end, in ms, sorted.</summary>
    public static double[] Latencies(IEnumerable<IncidentInfo> finished) =>
        finished.Select(i => (i.UpdatedAt - i.CreatedAt).TotalMilliseconds).Order().ToArray();

    public static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
