using OrleansWorkflow.Simulations.Schedulers;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>
/// How the engine drives one machine's scheduler: submit a job (or adopt the one an earlier attempt submitted), ask
/// about jobs, cancel one, read a file of a job's directory. Over SSH (<see cref="SshMachineDriver"/>), or a test
/// host's fake machine.
/// </summary>
internal interface IMachineDriver : IAsyncDisposable
{
    /// <summary>
    /// Writes the job's files and submits it, unless the job was already submitted by an earlier attempt (its id is in
    /// the working directory, or the scheduler knows a job of its name, <see cref="Machine.JobNameOf"/>): then that job
    /// is adopted, never submitted twice.
    /// </summary>
    /// <remarks><paramref name="links"/>: file name in the working directory to the path of the incident's data it links to (<see cref="SimulationRequest.Inputs"/>).</remarks>
    Task<(string JobId, bool Adopted)> SubmitAsync(Guid simulationId, string workingDirectory, SimulationRequest request, IReadOnlyDictionary<string, string> links,
        CancellationToken cancellationToken);

    /// <summary>What is known of each job (job id to working directory); an unreachable machine yields Unreachable for each, never an end.</summary>
    Task<IReadOnlyDictionary<string, JobObservation>> QueryAsync(IReadOnlyDictionary<string, string> jobs, CancellationToken cancellationToken);

    /// <summary>How this silo's last poll of the machine went; null before the first.</summary>
    MachinePoll? LastPoll { get; }

    /// <summary>Cancels the job.</summary>
    Task<RemoteResult> CancelAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Writes data <paramref name="dataName"/>'s staging script into <paramref name="directory"/> (made when missing) and starts it detached, unless it ended or still runs.</summary>
    Task StartStagingAsync(string directory, string dataName, string script, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This machine's driver stages no data.");

    /// <summary>What data <paramref name="dataName"/>'s staging in <paramref name="directory"/> says (see <see cref="Data.DataStaging.Parse"/>).</summary>
    Task<string> ProbeStagingAsync(string directory, string dataName, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This machine's driver stages no data.");

    /// <summary>Creates (or replaces) the file at <paramref name="path"/>, its directory made when missing, for writing, streamed.</summary>
    Task<Stream> OpenWriteAsync(string path, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This machine's driver streams no files.");

    /// <summary>Deletes <paramref name="directory"/> and what it holds (a directory the engine made).</summary>
    Task DeleteDirectoryAsync(string directory, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Opens the file at <paramref name="path"/> (an engine record's) for reading, streamed.</summary>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This machine's driver streams no files.");

    /// <summary>Whether it submits scheduler arrays (<see cref="SubmitArrayAsync"/>); a driver that does not runs an ensemble as a job per member.</summary>
    bool SubmitsArrays => false;

    /// <summary>
    /// Writes each member's files into its working directory and submits one scheduler array whose task i runs member
    /// i's job there, as <see cref="SubmitAsync"/> does for one job (an array an earlier attempt submitted is adopted).
    /// </summary>
    Task<(string JobId, bool Adopted)> SubmitArrayAsync(Guid ensembleId, string directory, IReadOnlyList<(string WorkingDirectory, SimulationRequest Request)> members,
        IReadOnlyDictionary<string, string> links, CancellationToken cancellationToken) => throw new NotSupportedException("This machine's driver submits no scheduler arrays.");

    /// <summary>Reads a file inside <paramref name="workingDirectory"/> (<paramref name="fileName"/> is relative to it, checked by the caller) as text.</summary>
    Task<string> ReadFileAsync(string workingDirectory, string fileName, CancellationToken cancellationToken);
}

/// <summary>Opens the driver of each configured machine.</summary>
internal interface IMachineDrivers
{
    /// <summary>The driver of machine <paramref name="name"/>, configured by <paramref name="options"/>.</summary>
    IMachineDriver Open(string name, MachineOptions options);
}

/// <summary>
/// What the engine does on one HPC machine: place a request by the machine's settings and scheduler, name its jobs
/// and their directories, and hand the rest to the machine's driver.
/// </summary>
internal sealed class Machine(string name, MachineOptions options, IScheduler scheduler, IMachineDriver driver) : IAsyncDisposable
{
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

    /// <summary>Where the incident's fetched data is kept on this machine.</summary>
    public string DataDirectoryOf(Guid incidentId) => $"{options.BaseDirectory.TrimEnd('/')}/{incidentId}/data";

    /// <summary>Deletes the incident's data directory (retention); there is nothing to delete when the machine stages no data.</summary>
    public Task DeleteDataAsync(Guid incidentId, CancellationToken cancellationToken) => driver.DeleteDirectoryAsync(DataDirectoryOf(incidentId), cancellationToken);

    /// <inheritdoc cref="IMachineDriver.StartStagingAsync"/>
    public Task StartStagingAsync(string directory, string dataName, string script, CancellationToken cancellationToken) =>
        driver.StartStagingAsync(directory, dataName, script, cancellationToken);

    /// <inheritdoc cref="IMachineDriver.ProbeStagingAsync"/>
    public async Task<Data.DataProbe> ProbeStagingAsync(string directory, string dataName, CancellationToken cancellationToken) =>
        Data.DataStaging.Parse(await driver.ProbeStagingAsync(directory, dataName, cancellationToken));

    /// <inheritdoc cref="IMachineDriver.OpenReadAsync"/>
    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) => driver.OpenReadAsync(path, cancellationToken);

    /// <inheritdoc cref="IMachineDriver.OpenWriteAsync"/>
    public Task<Stream> OpenWriteAsync(string path, CancellationToken cancellationToken) => driver.OpenWriteAsync(path, cancellationToken);

    /// <summary>The job's name on the scheduler: a retried submission finds a job by it.</summary>
    public static string JobNameOf(Guid simulationId) => "owf-" + simulationId.ToString("N");

    /// <inheritdoc cref="IMachineDriver.SubmitAsync"/>
    public Task<(string JobId, bool Adopted)> SubmitAsync(Guid simulationId, string workingDirectory, SimulationRequest request, IReadOnlyDictionary<string, string> links,
        CancellationToken cancellationToken) => driver.SubmitAsync(simulationId, workingDirectory, request, links, cancellationToken);

    /// <summary>
    /// Whether the machine runs an ensemble as one scheduler array: its scheduler and driver can, its settings allow it
    /// (Arrays), and it sets no limits of submissions (the engine counts those per job, so it submits member by member).
    /// </summary>
    public bool SubmitsArrays => options.Arrays && !options.LimitsSubmissions && scheduler.ArrayIndexVariable is not null && driver.SubmitsArrays;

    /// <inheritdoc cref="IMachineDriver.SubmitArrayAsync"/>
    public Task<(string JobId, bool Adopted)> SubmitArrayAsync(Guid ensembleId, string directory, IReadOnlyList<(string WorkingDirectory, SimulationRequest Request)> members,
        IReadOnlyDictionary<string, string> links, CancellationToken cancellationToken) => driver.SubmitArrayAsync(ensembleId, directory, members, links, cancellationToken);

    /// <summary>The job id of task <paramref name="index"/> of array <paramref name="arrayJobId"/>.</summary>
    public string ArrayTaskId(string arrayJobId, int index) => scheduler.ArrayTaskId(arrayJobId, index);

    /// <inheritdoc cref="IMachineDriver.QueryAsync"/>
    public Task<IReadOnlyDictionary<string, JobObservation>> QueryAsync(IReadOnlyDictionary<string, string> jobs, CancellationToken cancellationToken) =>
        jobs.Count == 0 ? Task.FromResult<IReadOnlyDictionary<string, JobObservation>>(new Dictionary<string, JobObservation>()) : driver.QueryAsync(jobs, cancellationToken);

    /// <inheritdoc cref="IMachineDriver.LastPoll"/>
    public MachinePoll? LastPoll => driver.LastPoll;

    /// <inheritdoc cref="IMachineDriver.CancelAsync"/>
    public Task<RemoteResult> CancelAsync(string jobId, CancellationToken cancellationToken) => driver.CancelAsync(jobId, cancellationToken);

    /// <summary>
    /// Reads <paramref name="fileName"/> (a path relative to the job's directory, never leading out of it) as text,
    /// no larger than MaxReadBytes.
    /// </summary>
    public Task<string> ReadFileAsync(string workingDirectory, string fileName, CancellationToken cancellationToken)
    {
        JobFiles.ThrowIfNotInside(fileName);
        return driver.ReadFileAsync(workingDirectory, fileName, cancellationToken);
    }

    public ValueTask DisposeAsync() => driver.DisposeAsync();
}
