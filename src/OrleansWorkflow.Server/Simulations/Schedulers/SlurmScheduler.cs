using System.Text;
using System.Text.RegularExpressions;

namespace OrleansWorkflow.Simulations.Schedulers;

/// <summary>
/// Slurm: <c>sbatch --parsable</c>, <c>squeue</c> to find a job by name, and <c>scontrol -o show job</c> per job for
/// state and exit code. scontrol knows finished jobs until MinJobAge has passed; after that <c>sacct</c> is asked,
/// and where the site keeps no accounting the job reads as not found (the engine then reads the job's own evidence).
/// </summary>
internal sealed partial class SlurmScheduler : IScheduler
{
    private const string Marker = "@@owf ";
    private const string ZoneMarker = "@@owf-tz ";

    // %F: an array's own id (its tasks print as id_index); a job's id otherwise.
    public string FindJobCommand(string jobName) => $"squeue -h -t all -n {Shell.Quote(jobName)} -o %F";

    public string? ArrayIndexVariable => "SLURM_ARRAY_TASK_ID";

    public string ArrayTaskId(string arrayJobId, int index) => $"{arrayJobId}_{index}";

    public string SubmitCommand(string jobName, string workingDirectory, string scriptPath, SimulationRequest request, int? arrayTasks = null)
    {
        var output = workingDirectory + (arrayTasks is null ? "/slurm-%j.out" : "/slurm-%A_%a.out");
        var command = new StringBuilder($"sbatch --parsable -J {Shell.Quote(jobName)} -D {Shell.Quote(workingDirectory)} -o {Shell.Quote(output)}");
        if (arrayTasks is { } tasks)
            command.Append($" --array=0-{tasks - 1}");
        if (request.TimeLimit is { } limit)
            command.Append($" --time={(int)Math.Ceiling(limit.TotalMinutes)}");
        if (request.Nodes is { } nodes)
            command.Append($" --nodes={nodes}");
        if (request.TasksPerNode is { } perNode)
            command.Append($" --ntasks-per-node={perNode}");
        if (request.MemoryMegabytes is { } memory)
            command.Append($" --mem={memory}M");
        foreach (var (option, value) in new[] { ("partition", request.Partition), ("qos", request.Qos), ("account", request.Account), ("reservation", request.Reservation) })
            if (value is not null)
                command.Append($" --{option}={Shell.Quote(value)}");
        if (request.BeginAt is { } begin)
            command.Append(" --begin=").Append(IScheduler.LocalTime(begin, "%Y-%m-%dT%H:%M:%S"));
        if (request.Deadline is { } deadline)
            command.Append(" --deadline=").Append(IScheduler.LocalTime(deadline, "%Y-%m-%dT%H:%M:%S"));
        return command.Append(' ').Append(Shell.Quote(scriptPath)).ToString();
    }

    public string? Unsupported(SimulationRequest request) => null;

    public string ParseJobId(string submitOutput)
    {
        // --parsable prints "id" or "id;cluster".
        var id = submitOutput.Trim().Split('\n')[^1].Split(';')[0].Trim();
        return id.Length > 0 && id.All(char.IsAsciiDigit) ? id : throw new FormatException($"sbatch printed no job id: \"{submitOutput.Trim()}\".");
    }

    public string CancelCommand(string jobId) => $"scancel {Shell.JobId(jobId)}";

    // A job scontrol no longer knows is asked of accounting (sacct), where the site has it.
    // The machine's UTC offset first: scontrol prints local times (a pending job's StartTime is its expected start).
    public string StatusCommand(IReadOnlyCollection<string> jobIds) =>
        $"echo \"{ZoneMarker}$(date +%z)\"; " + string.Join("; ", jobIds.Select(id => $"echo '{Marker}{Shell.JobId(id)}'; scontrol -o show job {Shell.JobId(id)} 2>&1 || sacct -n -X -P -o State,ExitCode -j {Shell.JobId(id)} 2>&1"));

    public IReadOnlyDictionary<string, JobObservation> ParseStatus(string output, IReadOnlyCollection<string> jobIds)
    {
        var answers = new Dictionary<string, List<string>>();
        List<string>? current = null;
        TimeSpan? zone = null;
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith(ZoneMarker, StringComparison.Ordinal))
                zone = Offset(line[ZoneMarker.Length..]);
            else if (line.StartsWith(Marker, StringComparison.Ordinal))
                answers[line[Marker.Length..]] = current = [];
            else
                current?.Add(line);
        }
        return jobIds.ToDictionary(id => id, id => Observe(answers.GetValueOrDefault(id), zone));
    }

    /// <summary>date +%z's "+0100" as an offset; null when it is not one.</summary>
    private static TimeSpan? Offset(string text) =>
        text.Length == 5 && text[0] is '+' or '-' && int.TryParse(text.AsSpan(1, 2), out var hours) && int.TryParse(text.AsSpan(3, 2), out var minutes)
            ? (text[0] == '-' ? -1 : 1) * new TimeSpan(hours, minutes, 0)
            : null;

    private static JobObservation Observe(List<string>? lines, TimeSpan? zone)
    {
        if (lines is null || lines.Count == 0)
            return JobObservation.Unreachable("scontrol gave no answer for the job");
        var job = lines.FirstOrDefault(l => l.StartsWith("JobId=", StringComparison.Ordinal));
        if (job is null)
        {
            if (lines.Select(l => Accounted().Match(l)).FirstOrDefault(m => m.Success) is { } accounted)
            {
                var ended = accounted.Groups[1].Value;
                return JobObservation.Seen(StatusOf(ended), int.Parse(accounted.Groups[2].Value),
                    $"sacct: State={ended} ExitCode={accounted.Groups[2].Value}:{accounted.Groups[3].Value}");
            }
            var said = string.Join(" ", lines);
            return said.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)
                ? JobObservation.NotFound($"scontrol: {said}")
                : JobObservation.Unreachable($"scontrol: {said}");
        }

        var state = Field(job, "JobState") ?? "";
        var reason = Field(job, "Reason");
        var exit = ExitCode().Match(job);
        int? code = exit.Success ? int.Parse(exit.Groups[1].Value) : null;
        var signal = exit.Success ? int.Parse(exit.Groups[2].Value) : 0;
        var detail = $"JobState={state}" + (reason is null or "None" ? "" : $" Reason={reason}") + (exit.Success ? $" ExitCode={exit.Groups[1].Value}:{signal}" : "");
        var status = StatusOf(state);
        // A pending job's StartTime is when Slurm expects to start it: its estimate, its begin time, or its reservation's start.
        DateTimeOffset? expected = status == SimulationStatus.Queued && zone is { } offset && Field(job, "StartTime") is { } start
            && DateTime.TryParseExact(start, "yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, offset) : null;
        return JobObservation.Seen(status, code, detail) with { ExpectedStart = expected };
    }

    public static SimulationStatus StatusOf(string state) => state switch
    {
        "PENDING" or "CONFIGURING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" => SimulationStatus.Queued,
        "COMPLETED" => SimulationStatus.Completed,
        "CANCELLED" => SimulationStatus.Cancelled,
        "TIMEOUT" or "DEADLINE" => SimulationStatus.Timeout,
        "FAILED" or "NODE_FAIL" or "OUT_OF_MEMORY" or "BOOT_FAIL" or "PREEMPTED" => SimulationStatus.Failed,
        // RUNNING, COMPLETING (epilog still running), SUSPENDED, STOPPED, SIGNALING, STAGE_OUT, RESIZING...
        _ => SimulationStatus.Running,
    };

    private static string? Field(string line, string key)
    {
        var match = Regex.Match(line, $@"(?:^|\s){key}=(\S+)");
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>A line of <c>sacct -n -X -P -o State,ExitCode</c>: "COMPLETED|0:0", "CANCELLED by 1000|0:15".</summary>
    [GeneratedRegex(@"^([A-Z_]+)(?: by \d+)?\|(\d+):(\d+)$")]
    private static partial Regex Accounted();

    [GeneratedRegex(@"(?:^|\s)ExitCode=(\d+):(\d+)")]
    private static partial Regex ExitCode();
}
