using System.Diagnostics;
using System.Text.Json.Nodes;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;

namespace OrleansWorkflow.Bench;

public sealed record LongResult(int M, double MsPerMessage, double BytesPerMessage, TimeSpan Elapsed);

/// <summary>
/// L: one fire incident fed M terrain messages, each relayed by fire_terrain to the fire_simulation join, which
/// persists a document per input and waits (hotspot and weather never come). Timed until the join has handled all M;
/// bytes are the database server's WAL written meanwhile, so a cost that grows with the incident's length shows.
/// </summary>
public static class LongRun
{
    public static async Task<LongResult> RunAsync(WorkflowClient client, BenchEnvironment environment, int m)
    {
        var incident = await client.CreateIncident($"bench long {m}", "FIRE");
        var wal = await environment.WalPositionAsync();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < m; i++)
            await client.Send(FireWorkflow.FireTerrain, new JsonObject { ["IncidentID"] = incident.ToString(), ["terrain"] = i });
        await client.FlushMessages();

        var lastProgress = TimeSpan.Zero;
        long handled;
        while ((handled = await environment.CountAsync(
                   "SELECT count(*) FROM owf_incident_step WHERE incident_id = @id AND queue = @queue AND outcome = @completed",
                   ("id", incident), ("queue", FireWorkflow.FireSimulation), ("completed", (short)StepOutcome.Completed))) < m)
        {
            await Task.Delay(100);
            if (clock.Elapsed - lastProgress > TimeSpan.FromSeconds(10))
            {
                lastProgress = clock.Elapsed;
                Console.WriteLine($"[bench]   L m={m}: {handled} of {m} handled by the join after {clock.Elapsed.TotalSeconds:0} s");
            }
        }
        var elapsed = clock.Elapsed;
        var bytes = await environment.WalBytesSinceAsync(wal);
        await client.Complete(incident);
        return new LongResult(m, elapsed.TotalMilliseconds / m, (double)bytes / m, elapsed);
    }
}
