namespace OrleansWorkflow.Simulations;

/// <summary>
/// A job for an HPC machine: a batch script (bash) and the files it reads, written into the job's own working
/// directory <c>&lt;machine base&gt;/&lt;IncidentID&gt;/&lt;SimulationID&gt;</c>, where the script also runs.
/// When the job ends, a message goes to <see cref="NotifyQueue"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed partial record SimulationRequest
{
    /// <summary>The configured machine's name (Hpc:Machines:&lt;name&gt;).</summary>
    [Id(0)] public required string Machine { get; init; }

    /// <summary>The job script's text; scheduler directives in it (#SBATCH, #PBS) are honoured.</summary>
    [Id(1)] public required string Script { get; init; }

    /// <summary>Queue that receives the job's end (see <see cref="SimulationEnd"/>).</summary>
    [Id(2)] public required string NotifyQueue { get; init; }

    /// <summary>Further files for the working directory: file name to text.</summary>
    [Id(3)] public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>The scheduler's wall-clock limit for the job, when set (rounded up to whole minutes for Slurm).</summary>
    [Id(4)] public TimeSpan? TimeLimit { get; init; }

    /// <summary>How many nodes the job needs (Slurm --nodes, PBS select=N).</summary>
    [Id(5)] public int? Nodes { get; init; }

    /// <summary>Tasks (MPI ranks) per node (Slurm --ntasks-per-node, PBS ncpus and mpiprocs per chunk).</summary>
    [Id(6)] public int? TasksPerNode { get; init; }

    /// <summary>Memory per node in megabytes (Slurm --mem, PBS mem per chunk).</summary>
    [Id(7)] public int? MemoryMegabytes { get; init; }

    /// <summary>The Slurm partition, or the PBS queue, to run in; unset: the machine's setting for the incident's urgency, else the scheduler's default.</summary>
    [Id(8)] public string? Partition { get; init; }

    /// <summary>The Slurm quality of service (--qos); PBS has none.</summary>
    [Id(9)] public string? Qos { get; init; }

    /// <summary>The account the job is charged to (Slurm --account, PBS -A).</summary>
    [Id(10)] public string? Account { get; init; }

    /// <summary>The reservation to run in (Slurm --reservation; on PBS Pro a reservation is a queue, so -q).</summary>
    [Id(11)] public string? Reservation { get; init; }

    /// <summary>The job starts no sooner (Slurm --begin, PBS -a).</summary>
    [Id(12)] public DateTimeOffset? BeginAt { get; init; }

    /// <summary>Slurm removes the job if it cannot end by then (--deadline); PBS has none.</summary>
    [Id(13)] public DateTimeOffset? Deadline { get; init; }

    /// <summary>
    /// The job's transitions its notify queue hears of, each once and in order: End (default), and with Queued and
    /// Running the job's acceptance and start, as messages of the same shape as its end (see <see cref="SimulationEnd"/>).
    /// </summary>
    [Id(14)] public SimulationNotices NotifyOn { get; init; } = SimulationNotices.End;

    /// <summary>
    /// The incident's data the job reads (see <c>IHandlerContext.Data</c>): file name in the working directory to data
    /// name. Each is linked into the directory, never copied through the silo; the job is submitted once all are ready
    /// (it waits while one is fetched) and must run on the machine that holds them.
    /// </summary>
    [Id(15)] public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    /// <summary>The name the script gets in the job's working directory.</summary>
    public const string ScriptFileName = "job.sh";

    /// <summary>Files whose names start so in a job's working directory are the engine's (job id, start and exit-code marks, the wrapper).</summary>
    public const string EngineFilePrefix = ".owf-";

    /// <summary>
    /// The scheduler directives of <paramref name="script"/>: its #SBATCH and #PBS lines before the first command,
    /// which is as far as Slurm and PBS read.
    /// </summary>
    public static IEnumerable<string> DirectivesOf(string script)
    {
        foreach (var raw in script.Split('\n').Skip(script.StartsWith("#!", StringComparison.Ordinal) ? 1 : 0))
        {
            var line = raw.Trim();
            if (line.Length == 0)
                continue;
            if (!line.StartsWith('#'))
                yield break;
            if (line.StartsWith("#SBATCH", StringComparison.Ordinal) || line.StartsWith("#PBS", StringComparison.Ordinal))
                yield return line;
        }
    }

    // Slurm's --array/-a, PBS Pro's -J and Torque's -t, anywhere on a directive line.
    private static bool IsArrayDirective(string directive) =>
        System.Text.RegularExpressions.Regex.IsMatch(directive, @"^#SBATCH\b.*\s(--array\b|-a(\s|\d|$))|^#PBS\b.*\s-[Jt](\s|\d|$)");

    /// <summary>Throws, naming the field to fix, when the request cannot be submitted.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Machine))
            throw new ArgumentException("A simulation needs the name of a configured HPC machine (SimulationRequest.Machine).");
        if (string.IsNullOrWhiteSpace(Script))
            throw new ArgumentException("A simulation needs a job script (SimulationRequest.Script).");
        Wire.WireContract.ValidateQueueName(NotifyQueue);
        foreach (var (file, data) in Inputs)
        {
            if (Files.ContainsKey(file))
                throw new ArgumentException($"Simulation file \"{file}\" is both in Files and in Inputs; give each name in one place.");
            DataItem.ValidateName(data);
        }
        foreach (var name in Files.Keys.Concat(Inputs.Keys))
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains('/') || name is "." or ".." || name == ScriptFileName || name.StartsWith(EngineFilePrefix, StringComparison.Ordinal))
                throw new ArgumentException($"Simulation file name \"{name}\" is not allowed: use a plain file name (no '/'), other than {ScriptFileName} and not starting with {EngineFilePrefix} (the engine's own files).");
        }
        if (DirectivesOf(Script).FirstOrDefault(IsArrayDirective) is { } array)
            throw new ArgumentException($"Simulation scripts may not be array jobs (\"{array}\"): the engine follows one job to one end. Submit one simulation per task instead.");
        if (TimeLimit is { } limit && limit <= TimeSpan.Zero)
            throw new ArgumentException($"Simulation time limit {limit} must be positive, or left unset.");
        foreach (var (field, count) in new[] { (nameof(Nodes), Nodes), (nameof(TasksPerNode), TasksPerNode), (nameof(MemoryMegabytes), MemoryMegabytes) })
            if (count is <= 0)
                throw new ArgumentException($"SimulationRequest.{field} is {count}; give a positive number, or leave it unset.");
        foreach (var (field, value) in new[] { (nameof(Partition), Partition), (nameof(Qos), Qos), (nameof(Account), Account), (nameof(Reservation), Reservation) })
            if (value is not null && !SchedulerName().IsMatch(value))
                throw new ArgumentException($"SimulationRequest.{field} \"{value}\" is not a scheduler name: use letters, digits, '_', '-' and '.', or leave it unset.");
        if (!NotifyOn.HasFlag(SimulationNotices.End))
            throw new ArgumentException($"SimulationRequest.NotifyOn is {NotifyOn}: the workflow always hears the job's end; include SimulationNotices.End.");
        if (Deadline is { } deadline && BeginAt is { } begin && deadline <= begin)
            throw new ArgumentException($"SimulationRequest.Deadline ({deadline:O}) must come after its BeginAt ({begin:O}).");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,64}$")]
    private static partial System.Text.RegularExpressions.Regex SchedulerName();
}
