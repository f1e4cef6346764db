using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Testing;

/// <summary>
/// An HPC machine of a test host: it takes the jobs the engine submits and reports them as the test scripts them
/// (Queued when submitted, then <see cref="FakeJob.Start"/>, <see cref="FakeJob.Complete"/>, <see cref="FakeJob.Fail"/>,
/// <see cref="FakeJob.TimeOut"/>, <see cref="FakeJob.Lose"/>), or as <see cref="OnSubmit"/> says for every job. The
/// engine's own rules decide what follows: a job submitted again is adopted, not run twice; a lost job is Lost after
/// the machine's LostAfter of workflow time; the notify queue hears of each end once.
/// </summary>
public sealed class FakeMachine
{
    private readonly Lock _lock = new();
    private readonly List<FakeJob> _jobs = [];
    private Action<FakeJob>? _onSubmit;

    internal FakeMachine(string name) => Name = name;

    /// <summary>The machine's name (Hpc:Machines:&lt;name&gt;).</summary>
    public string Name { get; }

    /// <summary>Whether the machine answers: while false, every poll finds it unreachable (and nothing ends).</summary>
    public bool Reachable { get; set; } = true;

    /// <summary>The jobs submitted to this machine, in order.</summary>
    public IReadOnlyList<FakeJob> Jobs
    {
        get
        {
            lock (_lock)
                return [.. _jobs];
        }
    }

    /// <summary>What every job submitted from now on does at once (for example <c>job => job.Complete(0, files)</c>).</summary>
    public FakeMachine OnSubmit(Action<FakeJob> script)
    {
        _onSubmit = script;
        return this;
    }

    internal IMachineDriver Driver(MachineOptions options) => new FakeDriver(this, options);

    private sealed class FakeDriver(FakeMachine machine, MachineOptions options) : IMachineDriver
    {
        public MachinePoll? LastPoll { get; private set; }

        public Task<(string JobId, bool Adopted)> SubmitAsync(Guid simulationId, string workingDirectory, SimulationRequest request, IReadOnlyDictionary<string, string> links,
            CancellationToken cancellationToken)
        {
            Unreachable();
            FakeJob job;
            lock (machine._lock)
            {
                if (machine._jobs.FirstOrDefault(j => j.SimulationId == simulationId) is { } submitted)
                    return Task.FromResult((submitted.JobId, true));
                job = new FakeJob((machine._jobs.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), simulationId, workingDirectory, request);
                machine._jobs.Add(job);
            }
            machine._onSubmit?.Invoke(job);
            return Task.FromResult((job.JobId, false));
        }

        public Task<IReadOnlyDictionary<string, JobObservation>> QueryAsync(IReadOnlyDictionary<string, string> jobs, CancellationToken cancellationToken)
        {
            if (!machine.Reachable)
            {
                LastPoll = new MachinePoll(DateTimeOffset.UtcNow, $"machine {machine.Name} does not answer (FakeMachine.Reachable is false)");
                return Task.FromResult<IReadOnlyDictionary<string, JobObservation>>(jobs.Keys.ToDictionary(id => id, _ => JobObservation.Unreachable(LastPoll.Error!)));
            }
            LastPoll = new MachinePoll(DateTimeOffset.UtcNow, null);
            return Task.FromResult<IReadOnlyDictionary<string, JobObservation>>(jobs.Keys.ToDictionary(id => id, id => machine.Find(id)?.Observation() ?? JobObservation.NotFound($"no job {id}")));
        }

        public Task<RemoteResult> CancelAsync(string jobId, CancellationToken cancellationToken)
        {
            Unreachable();
            machine.Find(jobId)?.Cancel();
            return Task.FromResult(new RemoteResult(0, "", ""));
        }

        public Task<string> ReadFileAsync(string workingDirectory, string fileName, CancellationToken cancellationToken)
        {
            Unreachable();
            var job = machine.Jobs.FirstOrDefault(j => j.WorkingDirectory == workingDirectory)
                ?? throw new FileNotFoundException($"{fileName} in {workingDirectory} on machine {machine.Name} does not exist: no job runs there.", fileName);
            var text = job.Files.GetValueOrDefault(fileName)
                ?? throw new FileNotFoundException($"{fileName} in {workingDirectory} on machine {machine.Name} does not exist.", fileName);
            if (System.Text.Encoding.UTF8.GetByteCount(text) > options.MaxReadBytes)
                throw new InvalidOperationException($"{fileName} in {workingDirectory} on machine {machine.Name} is over Hpc:Machines:{machine.Name}:MaxReadBytes ({options.MaxReadBytes}).");
            return Task.FromResult(text);
        }

        private void Unreachable()
        {
            if (!machine.Reachable)
                throw new MachineUnreachableException(machine.Name, $"machine {machine.Name} does not answer (FakeMachine.Reachable is false)");
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private FakeJob? Find(string jobId)
    {
        lock (_lock)
            return _jobs.FirstOrDefault(j => j.JobId == jobId);
    }
}

/// <summary>A job on a <see cref="FakeMachine"/>: what the engine submitted, and what the test makes of it.</summary>
public sealed class FakeJob
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _files;
    private SimulationStatus _status = SimulationStatus.Queued;
    private int? _exitCode;
    private bool _lost;

    internal FakeJob(string jobId, Guid simulationId, string workingDirectory, SimulationRequest request)
    {
        (JobId, SimulationId, WorkingDirectory, Request) = (jobId, simulationId, workingDirectory, request);
        _files = new Dictionary<string, string>(request.Files, StringComparer.Ordinal) { [SimulationRequest.ScriptFileName] = request.Script };
    }

    /// <summary>The scheduler's id of the job.</summary>
    public string JobId { get; }

    /// <summary>The engine's id of the simulation the job runs.</summary>
    public Guid SimulationId { get; }

    /// <summary>The job's working directory, as the engine named it.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The request as the engine submitted it (placed by the machine's settings for the incident's urgency).</summary>
    public SimulationRequest Request { get; }

    /// <summary>The files of the job's directory: its inputs, its script, and what <see cref="Complete"/> or <see cref="Fail"/> wrote.</summary>
    public IReadOnlyDictionary<string, string> Files
    {
        get
        {
            lock (_lock)
                return new Dictionary<string, string>(_files);
        }
    }

    /// <summary>The job's status as the scheduler would report it.</summary>
    public SimulationStatus Status
    {
        get
        {
            lock (_lock)
                return _status;
        }
    }

    /// <summary>The job starts running.</summary>
    public FakeJob Start() => Move(SimulationStatus.Running, null, null);

    /// <summary>The job ends with <paramref name="exitCode"/> (0: Completed, else Failed), having written <paramref name="files"/>.</summary>
    public FakeJob Complete(int exitCode = 0, IReadOnlyDictionary<string, string>? files = null) =>
        Move(exitCode == 0 ? SimulationStatus.Completed : SimulationStatus.Failed, exitCode, files);

    /// <summary>The job fails with <paramref name="exitCode"/>, having written <paramref name="files"/>.</summary>
    public FakeJob Fail(int exitCode = 1, IReadOnlyDictionary<string, string>? files = null) => Move(SimulationStatus.Failed, exitCode, files);

    /// <summary>The scheduler stops the job at its time limit.</summary>
    public FakeJob TimeOut() => Move(SimulationStatus.Timeout, null, null);

    /// <summary>The scheduler forgets the job and it leaves no trace: the engine reports it Lost after the machine's LostAfter.</summary>
    public FakeJob Lose()
    {
        lock (_lock)
            _lost = true;
        return this;
    }

    internal void Cancel()
    {
        lock (_lock)
            if (!_status.IsFinished())
                _status = SimulationStatus.Cancelled;
    }

    private FakeJob Move(SimulationStatus status, int? exitCode, IReadOnlyDictionary<string, string>? files)
    {
        lock (_lock)
        {
            if (_status.IsFinished())
                throw new InvalidOperationException($"Job {JobId} already ended {_status}; a job ends once.");
            (_status, _exitCode) = (status, exitCode);
            foreach (var (name, text) in files ?? new Dictionary<string, string>())
                _files[name] = text;
        }
        return this;
    }

    internal JobObservation Observation()
    {
        lock (_lock)
            return _lost ? JobObservation.NotFound($"no job {JobId}") : JobObservation.Seen(_status, _exitCode, _status.ToString().ToUpperInvariant());
    }
}
