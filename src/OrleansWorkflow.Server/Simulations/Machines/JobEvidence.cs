using System.Text;
using OrleansWorkflow.Simulations.Schedulers;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>
/// What a job leaves in its working directory, so its end is known after the scheduler forgot it (Slurm forgets a
/// finished job MinJobAge after its end, 300 s by default; a silo or sshd away longer would otherwise see no end).
/// The engine submits a wrapper instead of the user's script: it carries the script's #SBATCH/#PBS directives,
/// marks the start, runs the script and writes its exit code.
/// </summary>
internal static class JobEvidence
{
    /// <summary>The script the scheduler runs: the wrapper around <see cref="SimulationRequest.ScriptFileName"/>.</summary>
    public const string WrapperFileName = ".owf-job.sh";
    public const string StartedFileName = ".owf-started";
    /// <summary>The script an ensemble's scheduler array runs (in the ensemble's directory): task i runs member i's wrapper.</summary>
    public const string ArrayFileName = ".owf-array.sh";
    public const string ExitCodeFileName = ".owf-exit-code";
    private const string Marker = "@@owf-evidence ";
    private const string Separator = "@@owf-evidence-follows";

    /// <summary>The wrapper for <paramref name="script"/>: its directives first, as the scheduler reads only a script's leading comments.</summary>
    public static string Wrapper(string script, string workingDirectory)
    {
        var wrapper = new StringBuilder("#!/bin/sh\n");
        foreach (var directive in SimulationRequest.DirectivesOf(script))
            wrapper.Append(directive).Append('\n');
        var exitFile = Shell.Quote(ExitCodeFileName);
        // A script without a #! line is a bash script (SimulationRequest says so); one with it names its interpreter.
        var run = script.StartsWith("#!", StringComparison.Ordinal) ? $"./{SimulationRequest.ScriptFileName}" : $"/bin/bash ./{SimulationRequest.ScriptFileName}";
        return wrapper.Append($$"""
            # Written by OrleansWorkflow: runs {{SimulationRequest.ScriptFileName}} and leaves its exit code in {{ExitCodeFileName}}.
            cd {{Shell.Quote(workingDirectory)}} || exit 96
            : > {{Shell.Quote(StartedFileName)}}
            ended() { echo "$1" > {{exitFile}}.new && mv {{exitFile}}.new {{exitFile}}; exit "$1"; }
            trap 'ended 143' TERM
            {{run}}
            ended $?

            """).ToString();
    }

    /// <summary>
    /// The script of an ensemble's array: the members' directives (the scheduler reads them here), then task i runs
    /// the wrapper in <paramref name="memberDirectories"/>[i], by the index in <paramref name="indexVariable"/>.
    /// </summary>
    public static string ArrayDispatcher(string script, string indexVariable, IReadOnlyList<string> memberDirectories)
    {
        var dispatcher = new StringBuilder("#!/bin/sh\n");
        foreach (var directive in SimulationRequest.DirectivesOf(script))
            dispatcher.Append(directive).Append('\n');
        dispatcher.Append($"# Written by OrleansWorkflow: array task i runs ensemble member i's job in its own directory.\ncase \"${indexVariable}\" in\n");
        for (var i = 0; i < memberDirectories.Count; i++)
            dispatcher.Append($"  {i}) exec /bin/sh {Shell.Quote(memberDirectories[i] + "/" + WrapperFileName)} ;;\n");
        return dispatcher.Append($"esac\necho \"no ensemble member for task ${indexVariable}\" >&2\nexit 99\n").ToString();
    }

    /// <summary>
    /// Appended to a status command: prints a separator, then for each job what its directory holds (the exit code,
    /// "started", or "none").
    /// </summary>
    public static string Command(IReadOnlyDictionary<string, string> workingDirectories) =>
        $"echo '{Separator}'; " + string.Join("; ", workingDirectories.Select(job =>
        {
            var directory = Shell.Quote(job.Value);
            return $"echo '{Marker}{Shell.JobId(job.Key)}'; cat {directory}/{ExitCodeFileName} 2>/dev/null " +
                   $"|| {{ test -e {directory}/{StartedFileName} && echo started; }} || echo none";
        }));

    /// <summary>Splits a status command's output at the separator: the scheduler's answer, and the evidence.</summary>
    public static (string Scheduler, string Evidence) Split(string output)
    {
        var at = output.IndexOf(Separator, StringComparison.Ordinal);
        return at < 0 ? (output, "") : (output[..at], output[(at + Separator.Length)..]);
    }

    /// <summary>
    /// How each job ended by its evidence, for jobs whose evidence says so; a job that started and left no exit code
    /// was killed (its time limit, a cancel, its node).
    /// </summary>
    public static IReadOnlyDictionary<string, JobObservation> Parse(string evidence)
    {
        var ends = new Dictionary<string, JobObservation>();
        string? job = null;
        foreach (var line in evidence.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith(Marker, StringComparison.Ordinal))
            {
                job = line[Marker.Length..];
                continue;
            }
            if (job is null || ends.ContainsKey(job))
                continue;
            if (int.TryParse(line, out var code))
                ends[job] = JobObservation.Seen(code == 0 ? SimulationStatus.Completed : SimulationStatus.Failed, code,
                    $"the scheduler no longer knows the job; its {ExitCodeFileName} says {code}");
            else if (line == "started")
                ends[job] = JobObservation.Seen(SimulationStatus.Failed, null,
                    "the scheduler no longer knows the job, which started and left no exit code (killed: its time limit, a cancel or its node)");
        }
        return ends;
    }
}
