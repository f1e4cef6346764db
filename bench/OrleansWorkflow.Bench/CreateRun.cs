using System.Diagnostics;
using OrleansWorkflow.Client;

namespace OrleansWorkflow.Bench;

/// <summary>C: what creating <see cref="N"/> incidents in batches took, and how many the catalog then held.</summary>
public sealed record CreateResult(int N, int Created, TimeSpan Elapsed, long Commits)
{
    public double IncidentsPerSecond => N / Elapsed.TotalSeconds;
    public double CommitsPerIncident => (double)Commits / N;
}

/// <summary>C: creates N incidents with <see cref="WorkflowClient.CreateIncidents"/>, timed until the last batch returned.</summary>
public static class CreateRun
{
    public const string Kind = "BENCH-CREATE";

    public static async Task<CreateResult> RunAsync(WorkflowClient client, BenchEnvironment environment, int n)
    {
        var commits = await environment.CommitsAsync();
        var clock = Stopwatch.StartNew();
        await client.CreateIncidents(Enumerable.Range(1, n).Select(i => new IncidentRequest($"bench create {i}", Kind)));
        var elapsed = clock.Elapsed;
        var used = await environment.CommitsAsync() - commits;
        var created = await environment.CountAsync("SELECT count(*) FROM owf_incident WHERE kind = @kind AND status = 'Pending'", ("kind", Kind));
        return new CreateResult(n, (int)created, elapsed, used);
    }
}
