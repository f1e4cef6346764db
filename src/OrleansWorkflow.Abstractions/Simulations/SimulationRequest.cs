namespace OrleansWorkflow.Simulations;

/// <summary>
/// A job for an HPC machine: a batch script (bash) and the files it reads, written into the job's own working
/// directory <c>&lt;machine base&gt;/&lt;IncidentID&gt;/&lt;SimulationID&gt;</c>, where the script also runs.
/// When the job ends, a message goes to <see cref="NotifyQueue"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SimulationRequest
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

    /// <summary>The name the script gets in the job's working directory.</summary>
    public const string ScriptFileName = "job.sh";

    /// <summary>Throws, naming the field to fix, when the request cannot be submitted.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Machine))
            throw new ArgumentException("A simulation needs the name of a configured HPC machine (SimulationRequest.Machine).");
        if (string.IsNullOrWhiteSpace(Script))
            throw new ArgumentException("A simulation needs a job script (SimulationRequest.Script).");
        Wire.WireContract.ValidateQueueName(NotifyQueue);
        foreach (var name in Files.Keys)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains('/') || name is "." or ".." || name == ScriptFileName)
                throw new ArgumentException($"Simulation file name \"{name}\" is not allowed: use a plain file name (no '/'), other than {ScriptFileName}.");
        }
        if (TimeLimit is { } limit && limit <= TimeSpan.Zero)
            throw new ArgumentException($"Simulation time limit {limit} must be positive, or left unset.");
    }
}
