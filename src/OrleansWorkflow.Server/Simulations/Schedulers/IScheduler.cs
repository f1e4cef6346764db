using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Simulations.Schedulers;

/// <summary>
/// A batch scheduler's dialect: the shell commands that submit, find, query and cancel jobs, and the parsers
/// of their output. Commands run in a POSIX shell on the machine; every argument is quoted with <see cref="Shell.Quote"/>.
/// </summary>
internal interface IScheduler
{
    /// <summary>Prints the ids of jobs named <paramref name="jobName"/>, finished ones included, one per line; fails when the scheduler cannot be asked.</summary>
    string FindJobCommand(string jobName);

    /// <summary>
    /// Submits <paramref name="scriptPath"/> as <paramref name="jobName"/>, run in <paramref name="workingDirectory"/>,
    /// with <paramref name="request"/>'s time limit, resources and placement as the scheduler's options; prints the job id.
    /// </summary>
    /// <remarks>With <paramref name="arrayTasks"/>, as an array of that many tasks, numbered from 0 (output files then go to the array's directory).</remarks>
    string SubmitCommand(string jobName, string workingDirectory, string scriptPath, SimulationRequest request, int? arrayTasks = null);

    /// <summary>The environment variable that holds an array task's index in its job; null when the engine submits no arrays to this scheduler.</summary>
    string? ArrayIndexVariable { get; }

    /// <summary>The job id of task <paramref name="index"/> of array job <paramref name="arrayJobId"/>.</summary>
    string ArrayTaskId(string arrayJobId, int index);

    /// <summary>What of <paramref name="request"/> this scheduler cannot honour, said so the handler can fix it; null when it can.</summary>
    string? Unsupported(SimulationRequest request);

    /// <summary>The job id from the submit command's output; throws when there is none.</summary>
    string ParseJobId(string submitOutput);

    /// <summary>One command asking about all <paramref name="jobIds"/> at once.</summary>
    string StatusCommand(IReadOnlyCollection<string> jobIds);

    /// <summary>What the status command's output says about each of <paramref name="jobIds"/>.</summary>
    IReadOnlyDictionary<string, JobObservation> ParseStatus(string output, IReadOnlyCollection<string> jobIds);

    string CancelCommand(string jobId);

    /// <summary>A shell word that prints <paramref name="time"/> in the machine's local time, as <paramref name="format"/> (date(1)) says: schedulers read local times.</summary>
    protected static string LocalTime(DateTimeOffset time, string format) => $"\"$(date -d @{time.ToUnixTimeSeconds()} +{format})\"";

    public static IScheduler For(SchedulerKind kind) => kind switch
    {
        SchedulerKind.Slurm => new SlurmScheduler(),
        SchedulerKind.Pbs => new PbsScheduler(),
        _ => throw new ArgumentException($"Unknown scheduler {kind}; use Slurm or Pbs."),
    };
}
