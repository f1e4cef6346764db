using OrleansWorkflow.Simulations.Schedulers;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>
/// Drives a machine's scheduler over SSH: shell commands of its dialect (<see cref="IScheduler"/>: Slurm, PBS) on one
/// reused connection, files over SFTP.
/// </summary>
internal sealed class SshMachineDriver(string name, MachineOptions options, MachineConnection connection, IScheduler scheduler) : IMachineDriver
{
    private const string JobIdFile = ".owf-job-id";

    /// <inheritdoc/>
    public async Task<(string JobId, bool Adopted)> SubmitAsync(Guid simulationId, string workingDirectory, SimulationRequest request, IReadOnlyDictionary<string, string> links,
        CancellationToken cancellationToken)
    {
        var jobName = Machine.JobNameOf(simulationId);
        return await SubmitOnceAsync(jobName, workingDirectory, [workingDirectory],
            () => WriteJobAsync(workingDirectory, request, links, cancellationToken),
            scheduler.SubmitCommand(jobName, workingDirectory, $"{workingDirectory}/{JobEvidence.WrapperFileName}", request), cancellationToken);
    }

    /// <inheritdoc/>
    public bool SubmitsArrays => scheduler.ArrayIndexVariable is not null;

    /// <inheritdoc/>
    public async Task<(string JobId, bool Adopted)> SubmitArrayAsync(Guid ensembleId, string directory, IReadOnlyList<(string WorkingDirectory, SimulationRequest Request)> members,
        IReadOnlyDictionary<string, string> links, CancellationToken cancellationToken)
    {
        var jobName = Machine.JobNameOf(ensembleId);
        var dispatcher = $"{directory}/{JobEvidence.ArrayFileName}";
        return await SubmitOnceAsync(jobName, directory, [directory, .. members.Select(m => m.WorkingDirectory)],
            async () =>
            {
                foreach (var (workingDirectory, request) in members)
                    await WriteJobAsync(workingDirectory, request, links, cancellationToken);
                var variable = scheduler.ArrayIndexVariable ?? throw new NotSupportedException($"Machine {name} ({options.Scheduler}): the engine submits no arrays to this scheduler.");
                await connection.WriteFileAsync(dispatcher, JobEvidence.ArrayDispatcher(members[0].Request.Script, variable, [.. members.Select(m => m.WorkingDirectory)]), cancellationToken);
            },
            scheduler.SubmitCommand(jobName, directory, dispatcher, members[0].Request, members.Count), cancellationToken);
    }

    /// <summary>Writes a job's files, its script and the engine's wrapper into <paramref name="workingDirectory"/>, and links its inputs there.</summary>
    private async Task WriteJobAsync(string workingDirectory, SimulationRequest request, IReadOnlyDictionary<string, string> links, CancellationToken cancellationToken)
    {
        if (links.Count > 0)
        {
            var linked = await connection.RunAsync(string.Join(" && ", links.Select(l => $"ln -sfn -- {Shell.Quote(l.Value)} {Shell.Quote($"{workingDirectory}/{l.Key}")}")), cancellationToken);
            if (!linked.Succeeded)
                throw new InvalidOperationException($"Machine {name}: could not link the job's inputs into {workingDirectory} ({linked.Evidence}).");
        }
        foreach (var (file, text) in request.Files)
            await connection.WriteFileAsync($"{workingDirectory}/{file}", text, cancellationToken);
        await connection.WriteFileAsync($"{workingDirectory}/{SimulationRequest.ScriptFileName}", request.Script, cancellationToken);
        await connection.WriteFileAsync($"{workingDirectory}/{JobEvidence.WrapperFileName}", JobEvidence.Wrapper(request.Script, workingDirectory), cancellationToken);
    }

    /// <summary>
    /// Submits with <paramref name="submit"/> from <paramref name="directory"/> once: the job id an earlier attempt left
    /// there, or a job of <paramref name="jobName"/> the scheduler knows, is adopted instead. The files are written
    /// (<paramref name="writeFiles"/>) only while no job id is recorded; <paramref name="jobDirectories"/> are made first.
    /// </summary>
    private async Task<(string JobId, bool Adopted)> SubmitOnceAsync(string jobName, string directory, IReadOnlyList<string> jobDirectories, Func<Task> writeFiles,
        string submit, CancellationToken cancellationToken)
    {
        var directories = string.Join(' ', jobDirectories.Select(Shell.Quote));
        var prepared = await connection.RunAsync($"mkdir -p {directories} && for d in {directories}; do test -w \"$d\" || exit 1; done", cancellationToken);
        if (!prepared.Succeeded)
            throw new InvalidOperationException($"Machine {name}: cannot make the working directory {directory} ({prepared.Evidence}); check Hpc:Machines:{name}:BaseDirectory.");

        var existing = await connection.RunAsync($"cat {Shell.Quote(directory + "/" + JobIdFile)} 2>/dev/null", cancellationToken);
        if (!(existing.Succeeded && existing.Output.Trim().Length > 0))
            await writeFiles();

        var executables = string.Join(' ', jobDirectories.SelectMany(d => new[] { $"{d}/{SimulationRequest.ScriptFileName}", $"{d}/{JobEvidence.WrapperFileName}", $"{d}/{JobEvidence.ArrayFileName}" })
            .Select(Shell.Quote));
        var script = string.Join('\n',
            $"cd {Shell.Quote(directory)} || exit 96",
            $"if [ -s {JobIdFile} ]; then echo adopted; cat {JobIdFile}; exit 0; fi",
            $"for f in {executables}; do [ ! -e \"$f\" ] || chmod u+x \"$f\" || exit 98; done",
            $"found=$({scheduler.FindJobCommand(jobName)}) || {{ echo \"cannot list jobs: $found\" >&2; exit 97; }}",
            "if [ -n \"$found\" ]; then echo adopted; echo \"$found\" | head -n 1; exit 0; fi",
            $"( {submit} ) > {JobIdFile}.new 2> .owf-submit.err || {{ cat {JobIdFile}.new .owf-submit.err >&2; exit 98; }}",
            $"mv {JobIdFile}.new {JobIdFile} && echo submitted && cat {JobIdFile}");
        var result = await connection.RunAsync(script, cancellationToken);
        if (result.ExitStatus == 97)
            throw new MachineUnreachableException(name, $"Machine {name}: the scheduler could not be asked whether the job exists ({result.Evidence}).");
        if (!result.Succeeded)
            throw new InvalidOperationException($"Machine {name}: submitting the job in {directory} failed ({result.Evidence}).");

        var lines = result.Output.Trim().Split('\n', 2);
        return (scheduler.ParseJobId(lines.Length > 1 ? lines[1] : ""), lines[0].Trim() == "adopted");
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, JobObservation>> QueryAsync(IReadOnlyDictionary<string, string> jobs, CancellationToken cancellationToken)
    {
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

    /// <inheritdoc/>
    public MachinePoll? LastPoll { get; private set; }

    /// <summary>Whether <paramref name="workingDirectory"/> exists (an earlier attempt made it), and the job id an earlier submission recorded there.</summary>
    internal async Task<(bool Exists, string? JobId)> JobDirectoryAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        var wd = Shell.Quote(workingDirectory);
        var existing = await connection.RunAsync($"test -d {wd} || exit 3; cat {Shell.Quote(workingDirectory + "/" + JobIdFile)} 2>/dev/null; exit 0", cancellationToken);
        if (existing.ExitStatus == 3)
            return (false, null);
        return (true, existing.Succeeded && existing.Output.Trim() is { Length: > 0 } id ? id : null);
    }

    /// <summary>Makes the working directory and writes the job's files into it, for a job another way submits (<see cref="SlurmRestDriver"/>).</summary>
    internal async Task PrepareJobAsync(string workingDirectory, SimulationRequest request, IReadOnlyDictionary<string, string> links, CancellationToken cancellationToken)
    {
        var wd = Shell.Quote(workingDirectory);
        var prepared = await connection.RunAsync($"mkdir -p {wd} && test -w {wd}", cancellationToken);
        if (!prepared.Succeeded)
            throw new InvalidOperationException($"Machine {name}: cannot make the working directory {workingDirectory} ({prepared.Evidence}); check Hpc:Machines:{name}:BaseDirectory.");
        await WriteJobAsync(workingDirectory, request, links, cancellationToken);
        var executable = await connection.RunAsync($"chmod u+x {Shell.Quote($"{workingDirectory}/{SimulationRequest.ScriptFileName}")} {Shell.Quote($"{workingDirectory}/{JobEvidence.WrapperFileName}")}", cancellationToken);
        if (!executable.Succeeded)
            throw new InvalidOperationException($"Machine {name}: cannot make the job's script executable in {workingDirectory} ({executable.Evidence}).");
    }

    /// <summary>Records the job's id in its directory: a later submission adopts it.</summary>
    internal Task RecordJobIdAsync(string workingDirectory, string jobId, CancellationToken cancellationToken) =>
        connection.WriteFileAsync($"{workingDirectory}/{JobIdFile}", jobId + "\n", cancellationToken);

    /// <summary>What each job's directory says of its end (<see cref="JobEvidence"/>), for jobs the scheduler no longer knows.</summary>
    internal async Task<IReadOnlyDictionary<string, JobObservation>> EvidenceAsync(IReadOnlyDictionary<string, string> jobs, CancellationToken cancellationToken)
    {
        var result = await connection.RunAsync(JobEvidence.Command(jobs), cancellationToken);
        return JobEvidence.Parse(JobEvidence.Split(result.Output).Evidence);
    }

    /// <inheritdoc/>
    public async Task StartStagingAsync(string directory, string dataName, string script, CancellationToken cancellationToken)
    {
        var made = await connection.RunAsync($"mkdir -p {Shell.Quote(directory)}", cancellationToken);
        if (!made.Succeeded)
            throw new InvalidOperationException($"Machine {name}: cannot make the data directory {directory} ({made.Evidence}); check Hpc:Machines:{name}:BaseDirectory.");
        var status = await connection.RunAsync($"test -e {Shell.Quote($"{directory}/{Data.DataStaging.StatusFile(dataName)}")}", cancellationToken);
        if (!status.Succeeded)
            await connection.WriteFileAsync($"{directory}/{Data.DataStaging.ScriptFile(dataName)}", script, cancellationToken);
        var started = await connection.RunAsync(Data.DataStaging.StartCommand(directory, dataName), cancellationToken);
        if (!started.Succeeded)
            throw new InvalidOperationException($"Machine {name}: could not start staging {dataName} in {directory} ({started.Evidence}).");
    }

    /// <inheritdoc/>
    public async Task<string> ProbeStagingAsync(string directory, string dataName, CancellationToken cancellationToken) =>
        (await connection.RunAsync(Data.DataStaging.ProbeCommand(directory, dataName), cancellationToken)).Output;

    /// <inheritdoc/>
    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) => connection.OpenReadAsync(path, cancellationToken);

    /// <inheritdoc/>
    public async Task<Stream> OpenWriteAsync(string path, CancellationToken cancellationToken)
    {
        var directory = path[..path.LastIndexOf('/')];
        var made = await connection.RunAsync($"mkdir -p -- {Shell.Quote(directory)}", cancellationToken);
        if (!made.Succeeded)
            throw new InvalidOperationException($"Machine {name}: cannot make {directory} ({made.Evidence}); check Hpc:Machines:{name}:BaseDirectory.");
        return await connection.OpenWriteAsync(path, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task DeleteDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        var deleted = await connection.RunAsync($"rm -rf -- {Shell.Quote(directory)}", cancellationToken);
        if (!deleted.Succeeded)
            throw new InvalidOperationException($"Machine {name}: could not delete {directory} ({deleted.Evidence}).");
    }

    public async Task<RemoteResult> CancelAsync(string jobId, CancellationToken cancellationToken) =>
        await connection.RunAsync(scheduler.CancelCommand(jobId), cancellationToken);

    /// <summary>
    /// Reads the file as text: only a regular file that resolves, symbolic links followed, inside
    /// <paramref name="workingDirectory"/>, and no larger than MaxReadBytes.
    /// </summary>
    public async Task<string> ReadFileAsync(string workingDirectory, string fileName, CancellationToken cancellationToken)
    {
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
