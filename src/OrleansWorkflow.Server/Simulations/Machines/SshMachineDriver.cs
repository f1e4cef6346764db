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

        var submit = scheduler.SubmitCommand(Machine.JobNameOf(simulationId), workingDirectory, $"{workingDirectory}/{JobEvidence.WrapperFileName}", request);
        var script = string.Join('\n',
            $"cd {wd} || exit 96",
            $"if [ -s {JobIdFile} ]; then echo adopted; cat {JobIdFile}; exit 0; fi",
            $"chmod u+x {SimulationRequest.ScriptFileName} {JobEvidence.WrapperFileName} || exit 98",
            $"found=$({scheduler.FindJobCommand(Machine.JobNameOf(simulationId))}) || {{ echo \"cannot list jobs: $found\" >&2; exit 97; }}",
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
