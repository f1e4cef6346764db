using System.Diagnostics;
using System.Text.Json.Nodes;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;

namespace OrleansWorkflow.Bench;

public sealed record LongResult(string Workflow, int M, double MsPerMessage, double BytesPerMessage, double FullPageBytesPerMessage, TimeSpan Elapsed);

/// <summary>
/// L: one incident fed M messages. "fire": terrain messages, each relayed by fire_terrain to the fire_simulation join,
/// which persists a document per input, reads all it has, and waits (hotspot and weather never come). "chain": the
/// same incident length through E1's chain, whose handlers persist a document per message and never read them: the
/// engine's own cost, without a handler's. Timed until the last handler has handled all M; bytes are the database
/// server's WAL records written meanwhile (full-page images apart), so a cost that grows with the incident's length shows.
/// </summary>
public static class LongRun
{
    public const string Fire = "fire";
    public const string Chain = "chain";

    public static async Task<LongResult> RunAsync(WorkflowClient client, BenchEnvironment environment, string workflow, int chainLength, int m)
    {
        var (entry, last) = workflow == Fire
            ? (FireWorkflow.FireTerrain, FireWorkflow.FireSimulation)
            : (ChainWorkflow.Queue(1), ChainWorkflow.Queue(chainLength));
        var incident = await client.CreateIncident($"bench long {workflow} {m}", "BENCH");
        var wal = await environment.WalPositionAsync();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < m; i++)
            await client.Send(entry, new JsonObject { ["IncidentID"] = incident.ToString(), ["input"] = i });
        await client.FlushMessages();

        var lastProgress = TimeSpan.Zero;
        long handled;
        while ((handled = await environment.CountAsync(
                   "SELECT count(*) FROM owf_handler_step WHERE incident_id = @id AND queue = @queue",
                   ("id", incident), ("queue", last))) < m)
        {
            await Task.Delay(100);
            if (clock.Elapsed - lastProgress > TimeSpan.FromSeconds(10))
            {
                lastProgress = clock.Elapsed;
                Console.WriteLine($"[bench]   L {workflow} m={m}: {handled} of {m} handled by {last} after {clock.Elapsed.TotalSeconds:0} s");
            }
        }
        var elapsed = clock.Elapsed;
        var (records, fullPages) = await environment.WalBytesSinceAsync(wal);
        await client.Complete(incident);
        // Completing clears the handlers' documents (an update of every row); let it finish before the next run counts WAL.
        while (await environment.CountAsync(
                   "SELECT count(*) FROM owf_handler_step WHERE incident_id = @id AND (cardinality(documents) > 0 OR outbox IS NOT NULL)",
                   ("id", incident)) > 0)
            await Task.Delay(100);
        return new LongResult(workflow, m, elapsed.TotalMilliseconds / m, (double)records / m, (double)fullPages / m, elapsed);
    }
}
