using OrleansWorkflow.Simulations.Schedulers;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>What the engine does on one HPC machine: write a job's files, submit or adopt it, ask about jobs, cancel, read results.</summary>
internal sealed class Machine(string name, MachineOptions options, MachineConnection connection, IScheduler scheduler) : IAsyncDisposable
{
    private const string JobIdFile = ".owf-job-id";

    public string Name => name;
    public MachineOptions Options => options;

    /// <summary>
    /// <paramref name="request"/> as this machine runs it for an incident of <paramref name="urgency"/> (its settings
    /// for that urgency fill what the request leaves unset); throws, saying what to change, when its scheduler cannot.
    /// </summary>
    public SimulationRequest Place(SimulationRequest request, Incidents.IncidentUrgency urgency)
    {
        var placed = options.Urgency.TryGetValue(urgency, out var placement) ? placement.Place(request) : request;
        if (scheduler.Unsupported(placed) is { } problem)
            throw new ArgumentException($"Machine {name} ({options.Scheduler}): {problem}.", nameof(request));
        return placed;
    }

    public string WorkingDirectoryOf(Guid incidentId, Guid simulationId) => $"{options.BaseDirectory.TrimEnd('/')}/{incidentId}/{simulationId}";

    /// <summary>The job's name on the scheduler: a retried submission finds a job by it.</summary>
    public static string JobNameOf(Guid simulationId) => "owf-" + simulationId.ToString("N");

    /// <summary>
    /// Writes the job's files and submits it, unless the job was already submitted by an earlier attempt (its id is in
    /// the working directory, or the scheduler knows a job of its name): then that job is adopted, never submitted twice.
    /// </summary>
    public async Task<(string JobId, bool Adopted)> SubmitAsync(Guid simulationId, string workingDirectory, SimulationRequest request, CancellationToken cancellationToken)
    {
        var wd = Shell.Quote(workingDirectory);
        var prepared = await connection.RunAsync($"mkdir -p {wd} && test -w {wd}", cancellationToken);
        if (!prepared.Succeeded)
            throw new InvalidOperationException($"Machine {name}: cannot make the working directory {workingDirectory} ({prepared.Evidence}); check Hpc:Machines:{name}:BaseDirectory.");

        var existing = await connection.RunAsync($"cat {Shell.Quote(workingDirectory + "/" + JobIdFile)} 2>/dev/null", cancellationToken);
        if (!(existing.Succeeded && existing.Output.Trim().Length > 0))
        {
            foreach (var (file, text) in request.Files)
                await connection.WriteFileAsync($"{workingDirectory}/{file}", text, cancellationToken);
            await connection.WriteFileAsync($"{workingDirectory}/{SimulationRequest.ScriptFileName}", request.Script, cancellationToken);
            await connection.WriteFileAsync($"{workingDirectory}/{JobEvidence.WrapperFileName}", JobEvidence.Wrapper(request.Script, workingDirectory), cancellationToken);
        }

        var submit = scheduler.SubmitCommand(JobNameOf(simulationId), workingDirectory, $"{workingDirectory}/{JobEvidence.WrapperFileName}", request);
        var script = string.Join('\n',
            $"cd {wd} || exit 96",
            $"if [ -s {JobIdFile} ]; then echo adopted; cat {JobIdFile}; exit 0; fi",
            $"chmod u+x {SimulationRequest.ScriptFileName} {JobEvidence.WrapperFileName} || exit 98",
            $"found=$({scheduler.FindJobCommand(JobNameOf(simulationId))}) || {{ echo \"cannot list jobs: $found\" >&2; exit 97; }}",
            "if [ -n \"$found\" ]; then echo adopted; echo \"$found\" | head -n 1; exit 0; fi",
            $"( {submit} ) > {JobIdFile}.new 2> .owf-submit.err || {{ cat {JobIdFile}.new .owf-submit.err >&2; exit 98; }}",
            $"mv {JobIdFile}.new {JobIdFile} && echo submitted && cat {JobIdFile}");
        var result = await connection.RunAsync(script, cancellationToken);
        if (result.ExitStatus == 97)
            throw new MachineUnreachableException(name, $"Machine {name}: the scheduler could not be asked whether the job exists ({result.Evidence}).");
        if (!result.Succeeded)
            throw new InvalidOperationException($"Machine {name}: submitting the job in {workingDirectory} failed ({result.Evidence}).");

        var lines = result.Output.Trim().Split('\n', 2);
        return (scheduler.ParseJobId(lines.Length > 1 ? lines[1] : ""), lines[0].Trim() == "adopted");
    }

    /// <summary>
    /// Asks about all jobs (job id to working directory) in one command: the scheduler, and for a job the scheduler no
    /// longer knows, the evidence in its directory. An unreachable machine yields Unreachable for each, never an end.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, JobObservation>> QueryAsync(IReadOnlyDictionary<string, string> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Count == 0)
            return new Dictionary<string, JobObservation>();
        var jobIds = jobs.Keys.ToList();
        try
        {
            var result = await connection.RunAsync(scheduler.StatusCommand(jobIds) + "; " + JobEvidence.Command(jobs), cancellationToken);
            LastPoll = new MachinePoll(DateTimeOffset.UtcNow, null);
            var (answer, evidence) = JobEvidence.Split(result.Output);
            var observed = scheduler.ParseStatus(answer + "\n" + result.Error, jobIds);
            var ends = JobEvidence.Parse(evidence);
            return observed.ToDictionary(job => job.Key, job =>
                job.Value.Kind == ObservationKind.NotFound && ends.TryGetValue(job.Key, out var end) ? end : job.Value);
        }
        catch (MachineUnreachableException e)
        {
            LastPoll = new MachinePoll(DateTimeOffset.UtcNow, e.Message);
            return jobIds.ToDictionary(id => id, _ => JobObservation.Unreachable(e.Message));
        }
    }

    /// <summary>How this silo's last poll of the machine went; null before the first.</summary>
    public MachinePoll? LastPoll { get; private set; }

    public async Task<RemoteResult> CancelAsync(string jobId, CancellationToken cancellationToken) =>
        await connection.RunAsync(scheduler.CancelCommand(jobId), cancellationToken);

    /// <summary>
    /// Reads <paramref name="fileName"/> (a path relative to the job's directory) as text: only a regular file that
    /// resolves, symbolic links followed, inside <paramref name="workingDirectory"/>, and no larger than MaxReadBytes.
    /// </summary>
    public async Task<string> ReadFileAsync(string workingDirectory, string fileName, CancellationToken cancellationToken)
    {
        JobFiles.ThrowIfNotInside(fileName);
        var script = string.Join('\n',
            $"d=$(realpath -e -- {Shell.Quote(workingDirectory)}) || exit 91",
            $"f=$(realpath -e -- {Shell.Quote(workingDirectory + "/" + fileName)}) || exit 91",
            "case \"$f\" in \"$d\"/*) ;; *) exit 90 ;; esac",
            "[ -f \"$f\" ] || exit 92",
            "printf '%s\\n' \"$f\"; stat -L -c %s -- \"$f\"");
        var found = await connection.RunAsync(script, cancellationToken);
        var where = $"{fileName} in {workingDirectory} on machine {name}";
        switch (found.ExitStatus)
        {
            case 91:
                throw new FileNotFoundException($"{where} does not exist.", fileName);
            case 90:
                throw new UnauthorizedAccessException($"{where} leads outside the job's directory (a symbolic link); only files inside it are read.");
            case 92:
                throw new UnauthorizedAccessException($"{where} is not a regular file.");
            case not 0:
                throw new InvalidOperationException($"Could not look up {where} ({found.Evidence}).");
        }
        var lines = found.Output.Trim().Split('\n');
        var size = long.Parse(lines[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (size > options.MaxReadBytes)
            throw new InvalidOperationException($"{where} is {size} bytes, over Hpc:Machines:{name}:MaxReadBytes ({options.MaxReadBytes}); have the job write a smaller summary, or raise the limit.");
        return await connection.ReadFileAsync(lines[0], (int)options.MaxReadBytes, cancellationToken);
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
