using System.Text;
using System.Text.RegularExpressions;

namespace OrleansWorkflow.Simulations.Schedulers;

/// <summary>
/// PBS Pro: <c>qsub</c> (ids like <c>6901077.sdb</c>), <c>qselect -x -N</c> to find a job by name, and one
/// <c>qstat -fx</c> for all jobs (finished ones included) with <c>job_state</c> and <c>Exit_status</c>.
/// PBS starts job scripts in the home directory; qsub runs in the job's directory, so scripts may
/// <c>cd "$PBS_O_WORKDIR"</c>.
/// </summary>
internal sealed partial class PbsScheduler : IScheduler
{
    /// <summary>PBS Pro's exit status for a job killed at its walltime (JOB_EXEC_KILL_WALLTIME).</summary>
    private const int WalltimeExceeded = -29;

    public string FindJobCommand(string jobName) => $"qselect -x -N {Shell.Quote(jobName)}";

    /// <summary>The engine submits no PBS arrays (their sub-jobs' ids and states differ by PBS flavour): an ensemble is a job per member.</summary>
    public string? ArrayIndexVariable => null;

    public string ArrayTaskId(string arrayJobId, int index) => throw new NotSupportedException("The engine submits no PBS arrays.");

    public string SubmitCommand(string jobName, string workingDirectory, string scriptPath, SimulationRequest request, int? arrayTasks = null)
    {
        if (arrayTasks is not null)
            throw new NotSupportedException("The engine submits no PBS arrays.");
        var command = new StringBuilder($"cd {Shell.Quote(workingDirectory)} && qsub -N {Shell.Quote(jobName)} -j oe -o {Shell.Quote(workingDirectory + "/pbs.out")}");
        if (request.TimeLimit is { } limit)
            command.Append($" -l walltime={(int)limit.TotalHours:00}:{limit.Minutes:00}:{limit.Seconds:00}");
        if (request.Nodes is not null || request.TasksPerNode is not null || request.MemoryMegabytes is not null)
        {
            // PBS Pro asks for chunks: one per node, each with the node's tasks and memory.
            var chunk = new StringBuilder($"select={request.Nodes ?? 1}");
            if (request.TasksPerNode is { } tasks)
                chunk.Append($":ncpus={tasks}:mpiprocs={tasks}");
            if (request.MemoryMegabytes is { } memory)
                chunk.Append($":mem={memory}mb");
            command.Append(" -l ").Append(Shell.Quote(chunk.ToString()));
        }
        // A PBS Pro reservation is a queue of its own.
        if ((request.Reservation ?? request.Partition) is { } queue)
            command.Append(" -q ").Append(Shell.Quote(queue));
        if (request.Account is { } account)
            command.Append(" -A ").Append(Shell.Quote(account));
        if (request.BeginAt is { } begin)
            command.Append(" -a ").Append(IScheduler.LocalTime(begin, "%Y%m%d%H%M.%S"));
        return command.Append(' ').Append(Shell.Quote(scriptPath)).ToString();
    }

    public string? Unsupported(SimulationRequest request) =>
        request.Qos is not null ? $"PBS has no quality of service: leave SimulationRequest.Qos unset for this machine (\"{request.Qos}\" given)"
        : request.Deadline is not null ? "PBS has no job deadline: leave SimulationRequest.Deadline unset for this machine and give a TimeLimit"
        : request is { Reservation: not null, Partition: not null } ? $"on PBS a reservation is a queue: give SimulationRequest.Reservation (\"{request.Reservation}\") or Partition (\"{request.Partition}\"), not both"
        : null;

    public string ParseJobId(string submitOutput)
    {
        var id = submitOutput.Trim().Split('\n')[^1].Trim();
        return JobIdShape().IsMatch(id) ? id : throw new FormatException($"qsub printed no job id: \"{submitOutput.Trim()}\".");
    }

    public string CancelCommand(string jobId) => $"qdel {Shell.JobId(jobId)}";

    public string StatusCommand(IReadOnlyCollection<string> jobIds) =>
        "qstat -fx " + string.Join(" ", jobIds.Select(Shell.JobId)) + " 2>&1";

    public IReadOnlyDictionary<string, JobObservation> ParseStatus(string output, IReadOnlyCollection<string> jobIds)
    {
        var blocks = new Dictionary<string, Dictionary<string, string>>();
        var unknown = new HashSet<string>();
        var other = new List<string>();
        Dictionary<string, string>? current = null;
        string? lastKey = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("Job Id:", StringComparison.Ordinal))
            {
                blocks[Number(line["Job Id:".Length..].Trim())] = current = new Dictionary<string, string>();
                lastKey = null;
            }
            else if (UnknownJob().Match(line) is { Success: true } missing)
            {
                unknown.Add(Number(missing.Groups[1].Value));
            }
            else if (current is not null && line.StartsWith('\t') && lastKey is not null)
            {
                current[lastKey] += line.Trim(); // qstat -f wraps long values onto tab-indented lines
            }
            else if (current is not null && Attribute().Match(line) is { Success: true } attribute)
            {
                lastKey = attribute.Groups[1].Value;
                current[lastKey] = attribute.Groups[2].Value.Trim();
            }
            else if (line.Trim().Length > 0)
            {
                other.Add(line.Trim());
            }
        }

        return jobIds.ToDictionary(id => id, id =>
            blocks.TryGetValue(Number(id), out var job) ? Observe(job)
            : unknown.Contains(Number(id)) ? JobObservation.NotFound($"qstat: Unknown Job Id {id}")
            : JobObservation.Unreachable(other.Count > 0 ? $"qstat: {string.Join(" ", other)}" : "qstat gave no answer for the job"));
    }

    private static JobObservation Observe(Dictionary<string, string> job)
    {
        var state = job.GetValueOrDefault("job_state", "");
        int? exit = job.TryGetValue("Exit_status", out var text) && int.TryParse(text, out var parsed) ? parsed : null;
        var comment = job.GetValueOrDefault("comment");
        var detail = $"job_state={state}" + (exit is null ? "" : $" Exit_status={exit}") + (comment is null ? "" : $" comment={comment}");
        return JobObservation.Seen(StatusOf(state, exit, comment), exit, detail);
    }

    public static SimulationStatus StatusOf(string state, int? exit, string? comment)
    {
        if (state is "Q" or "H" or "W" or "T" or "M")
            return SimulationStatus.Queued;
        if (state is not ("F" or "X"))
            return SimulationStatus.Running; // R, E (exiting), B, S, U
        if (exit == WalltimeExceeded || comment?.Contains("walltime", StringComparison.OrdinalIgnoreCase) == true && comment.Contains("exceeded", StringComparison.OrdinalIgnoreCase))
            return SimulationStatus.Timeout;
        return exit switch
        {
            null => SimulationStatus.Cancelled, // deleted before it ran: no exit status
            0 => SimulationStatus.Completed,
            >= 256 => SimulationStatus.Cancelled, // 256 + signal: killed (qdel sends SIGTERM, then SIGKILL)
            _ => SimulationStatus.Failed,
        };
    }

    private static string Number(string id) => id.Split('.')[0];

    [GeneratedRegex(@"^[0-9]+(\[[0-9]*\])?(\.[A-Za-z0-9_\-]+)*$")]
    private static partial Regex JobIdShape();

    [GeneratedRegex(@"^qstat: Unknown Job Id ([^\s]+)")]
    private static partial Regex UnknownJob();

    [GeneratedRegex(@"^\s{4}([A-Za-z_][A-Za-z0-9_.]*) = (.*)$")]
    private static partial Regex Attribute();
}
