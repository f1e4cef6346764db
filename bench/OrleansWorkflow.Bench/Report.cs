using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansWorkflow.Bench;

/// <summary>The run's table (printed) and its JSON (bench/results/latest.json): each scenario's median over the rounds.</summary>
public sealed class Report(BenchOptions options, string command, IReadOnlyList<Measurement> measurements, IReadOnlyList<FireResult> fire,
    IReadOnlyList<LongResult> longRuns, double siloPeakMegabytes, UrgentResult? urgent, CreateResult? create)
{
    private Measurement Median(string scenario)
    {
        var runs = measurements.Where(m => m.Scenario == scenario).OrderBy(m => m.MessagesPerSecond).ToList();
        return runs[runs.Count / 2];
    }

    public string Table()
    {
        var (r1, r2, e1) = (Median("R1"), Median("R2"), Median("E1"));
        var lines = new List<string>
        {
            $"| scenario | msgs/s (median of {options.Rounds}) | all rounds | CPU ms/msg (silo + bench) | DB commits/msg | SQL statements/msg | awaited grain calls/msg (+ one-way) |",
            "|---|---:|---|---:|---:|---:|---:|",
        };
        foreach (var m in new[] { r1, r2, e1 })
        {
            var all = string.Join(", ", measurements.Where(x => x.Scenario == m.Scenario).Select(x => x.MessagesPerSecond.ToString("0")));
            var calls = m.Scenario == "E1" ? $"{m.AwaitedCallsPerMessage:0.00} (+ {m.OneWayCallsPerMessage:0.00})" : "";
            lines.Add($"| {Describe(m.Scenario)} | {m.MessagesPerSecond:0} | {all} | {m.CpuMsPerMessage:0.000} | {m.CommitsPerMessage:0.00} | {Statements(m)} | {calls} |");
        }
        lines.Add("");
        lines.Add($"E1/R1 = {e1.MessagesPerSecond / r1.MessagesPerSecond:0.00}, E1/R2 = {e1.MessagesPerSecond / r2.MessagesPerSecond:0.00}; " +
                  $"silo process peak working set through F {siloPeakMegabytes:0} MB, bench process {PeakMegabytes:0} MB");
        lines.Add("");
        if (create is not null)
        {
            lines.Add("| C: incidents created in batches | created | incidents/s | C / R2 | DB commits/incident | wall s |");
            lines.Add("|---:|---:|---:|---:|---:|---:|");
            lines.Add($"| {create.N} | {create.Created} | {create.IncidentsPerSecond:0} | {create.IncidentsPerSecond / r2.MessagesPerSecond:0.00} | {create.CommitsPerIncident:0.00} | {create.Elapsed.TotalSeconds:0.0} |");
            lines.Add("");
        }
        lines.Add("| F: fire incidents at once | completed | incidents/s | p50 ms | p95 ms | p99 ms | wall s |");
        lines.Add("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var f in fire)
            lines.Add($"| {f.N} | {f.Completed} | {f.IncidentsPerSecond:0.0} | {f.P50Ms:0} | {f.P95Ms:0} | {f.P99Ms:0} | {f.Elapsed.TotalSeconds:0.0} |");
        lines.Add("");
        if (urgent is not null)
        {
            lines.Add("| U: one Emergency behind routine fire incidents | routine | routine completed | Emergency create to Completed s | control (Routine, created with it) s | routine p50 ms | wall s |");
            lines.Add("|---|---:|---:|---:|---:|---:|---:|");
            lines.Add($"| fire | {urgent.Routine} | {urgent.RoutineCompleted} | {urgent.EmergencySeconds:0.00} | {urgent.ControlSeconds:0.00} | {urgent.RoutineP50Ms:0} | {urgent.Elapsed.TotalSeconds:0.0} |");
            lines.Add("");
        }
        lines.Add("| L: one incident of M messages | M | ms/msg | bytes written/msg (WAL records) | full-page images/msg | wall s |");
        lines.Add("|---|---:|---:|---:|---:|---:|");
        foreach (var l in longRuns)
            lines.Add($"| {l.Workflow} | {l.M} | {l.MsPerMessage:0.00} | {l.BytesPerMessage:0} | {l.FullPageBytesPerMessage:0} | {l.Elapsed.TotalSeconds:0.0} |");
        foreach (var runs in longRuns.GroupBy(l => l.Workflow).Where(g => g.Count() > 1).Select(g => g.OrderBy(l => l.M).ToList()))
            lines.Add($"\nL {runs[0].Workflow} {runs[^1].M} / {runs[0].M}: {runs[^1].MsPerMessage / runs[0].MsPerMessage:0.00} x ms/msg, {runs[^1].BytesPerMessage / runs[0].BytesPerMessage:0.00} x bytes/msg");
        return string.Join('\n', lines);
    }

    private static string Statements(Measurement m) => double.IsNaN(m.StatementsPerMessage) ? "n/a" : m.StatementsPerMessage.ToString("0.00");

    private string Describe(string scenario) => scenario switch
    {
        "R1" => "R1 broker floor (publish+confirm, consume, ack)",
        "R2" => "R2 floor with state (R1 + 1 committed write)",
        _ => $"E1 engine, chain of {options.ChainLength} handlers with state",
    };

    private static double PeakMegabytes => Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;

    public JsonObject Json()
    {
        var (r1, r2, e1) = (Median("R1"), Median("R2"), Median("E1"));
        return new JsonObject
        {
            ["date"] = DateTimeOffset.UtcNow.ToString("u"),
            ["command"] = command,
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            ["messages_per_round"] = options.Messages,
            ["rounds"] = options.Rounds,
            ["body_bytes"] = options.BodyBytes,
            ["chain_length"] = options.ChainLength,
            ["r1_msgs_per_s"] = Math.Round(r1.MessagesPerSecond),
            ["r2_msgs_per_s"] = Math.Round(r2.MessagesPerSecond),
            ["e1_msgs_per_s"] = Math.Round(e1.MessagesPerSecond),
            ["e1_over_r1"] = Math.Round(e1.MessagesPerSecond / r1.MessagesPerSecond, 3),
            ["e1_over_r2"] = Math.Round(e1.MessagesPerSecond / r2.MessagesPerSecond, 3),
            ["cpu_ms_per_msg"] = new JsonObject { ["r1"] = Round(r1.CpuMsPerMessage), ["r2"] = Round(r2.CpuMsPerMessage), ["e1"] = Round(e1.CpuMsPerMessage) },
            ["db_commits_per_msg"] = new JsonObject { ["r2"] = Round(r2.CommitsPerMessage), ["e1"] = Round(e1.CommitsPerMessage) },
            // Per E1 message: awaited grain calls besides the delivery into the handler grain, and one-way notices apart.
            ["grain_calls_per_msg"] = new JsonObject { ["e1"] = Round(e1.AwaitedCallsPerMessage), ["e1_one_way"] = Round(e1.OneWayCallsPerMessage) },
            // -1 when the server did not track statements (pg_stat_statements not preloaded).
            ["statements_per_msg"] = new JsonObject { ["r2"] = Round(r2.StatementsPerMessage), ["e1"] = Round(e1.StatementsPerMessage) },
            ["peak_working_set_mb"] = Math.Round(PeakMegabytes),
            ["silo_peak_working_set_mb"] = Math.Round(siloPeakMegabytes),
            ["all_rounds"] = new JsonArray([.. measurements.Select(m => (JsonNode)new JsonObject
            {
                ["scenario"] = m.Scenario, ["msgs_per_s"] = Math.Round(m.MessagesPerSecond), ["seconds"] = Round(m.Elapsed.TotalSeconds),
            })]),
            ["create"] = create is null ? null : new JsonObject
            {
                ["n"] = create.N, ["created"] = create.Created, ["incidents_per_s"] = Round(create.IncidentsPerSecond),
                ["over_r2"] = Round(create.IncidentsPerSecond / r2.MessagesPerSecond), ["db_commits_per_incident"] = Round(create.CommitsPerIncident), ["wall_s"] = Round(create.Elapsed.TotalSeconds),
            },
            ["fire"] = new JsonArray([.. fire.Select(f => (JsonNode)new JsonObject
            {
                ["n"] = f.N, ["completed"] = f.Completed, ["incidents_per_s"] = Round(f.IncidentsPerSecond),
                ["p50_ms"] = Round(f.P50Ms), ["p95_ms"] = Round(f.P95Ms), ["p99_ms"] = Round(f.P99Ms), ["wall_s"] = Round(f.Elapsed.TotalSeconds),
            })]),
            ["urgent"] = urgent is null ? null : new JsonObject
            {
                ["routine"] = urgent.Routine, ["routine_completed"] = urgent.RoutineCompleted, ["emergency_s"] = Round(urgent.EmergencySeconds), ["control_routine_s"] = Round(urgent.ControlSeconds),
                ["routine_p50_ms"] = Round(urgent.RoutineP50Ms), ["wall_s"] = Round(urgent.Elapsed.TotalSeconds),
            },
            ["long"] = new JsonArray([.. longRuns.Select(l => (JsonNode)new JsonObject
            {
                ["workflow"] = l.Workflow, ["m"] = l.M, ["ms_per_msg"] = Round(l.MsPerMessage), ["bytes_per_msg"] = Math.Round(l.BytesPerMessage), ["full_page_bytes_per_msg"] = Math.Round(l.FullPageBytesPerMessage), ["wall_s"] = Round(l.Elapsed.TotalSeconds),
            })]),
        };
    }

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 3) : -1;

    public async Task WriteAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, Json().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
