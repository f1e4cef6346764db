using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>The batch scheduler of an HPC machine.</summary>
public enum SchedulerKind
{
    /// <summary>Slurm: sbatch, squeue, scontrol, sacct, scancel.</summary>
    Slurm = 0,

    /// <summary>PBS Pro: qsub, qstat -fx, qdel.</summary>
    Pbs = 1,
}

/// <summary>How the engine drives a machine's scheduler.</summary>
public enum MachineDriverKind
{
    /// <summary>Scheduler commands over SSH (sbatch, scontrol, qsub...), files over SFTP.</summary>
    Ssh = 0,

    /// <summary>
    /// Slurm's REST API (slurmrestd) with a JWT for submitting, asking after and cancelling jobs; files (the job's,
    /// the incident's data) still over SFTP to Host, which may be the site's data transfer node: slurmrestd moves none.
    /// </summary>
    SlurmRest = 1,
}

/// <summary>One HPC machine, bound from "Hpc:Machines:&lt;name&gt;". Key authentication only; the host key is pinned.</summary>
public sealed class MachineOptions
{
    /// <summary>The machine's SSH host name or address.</summary>
    public string Host { get; set; } = "";
    /// <summary>Its SSH port.</summary>
    public int Port { get; set; } = 22;
    /// <summary>The account jobs are submitted as.</summary>
    public string User { get; set; } = "";

    /// <summary>Path of the private key file (OpenSSH format) that logs in as <see cref="User"/>.</summary>
    public string PrivateKey { get; set; } = "";

    /// <summary>
    /// Path of an OpenSSH user certificate of <see cref="PrivateKey"/> (its "-cert.pub" file), for sites that let a
    /// key in only with a short-lived certificate their CA issued (after MFA, by a site tool such as NERSC's sshproxy).
    /// An operator or the site's tool refreshes the file; each new connection reads it again. Empty: the key alone.
    /// </summary>
    public string Certificate { get; set; } = "";

    /// <summary>How long before the certificate expires the machine makes the silo Degraded in /readyz (default 1 hour).</summary>
    public TimeSpan CertificateWarning { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Ssh (default), or SlurmRest: the scheduler through <see cref="RestUrl"/> with the JWT in <see cref="TokenFile"/>.</summary>
    public MachineDriverKind Driver { get; set; } = MachineDriverKind.Ssh;

    /// <summary>With Driver SlurmRest: slurmrestd's base URL, e.g. https://slurm-api.example.org:6820.</summary>
    public string RestUrl { get; set; } = "";

    /// <summary>With Driver SlurmRest: the OpenAPI version of slurmrestd's job endpoints (default v0.0.38, Slurm 22.05).</summary>
    public string RestApiVersion { get; set; } = "v0.0.38";

    /// <summary>
    /// With Driver SlurmRest: the file holding the JWT for <see cref="User"/> (as <c>scontrol token</c> or the site's
    /// token service issues it); read at each request, so an operator or a site tool refreshes it in place.
    /// </summary>
    public string TokenFile { get; set; } = "";

    /// <summary>The machine's line from a known_hosts file ("host key-type base64"), as its administrators publish it.</summary>
    public string KnownHost { get; set; } = "";

    /// <summary>Slurm or Pbs.</summary>
    public SchedulerKind Scheduler { get; set; } = SchedulerKind.Slurm;

    /// <summary>Directory on the machine under which each job gets &lt;IncidentID&gt;/&lt;SimulationID&gt;.</summary>
    public string BaseDirectory { get; set; } = "";

    /// <summary>How often the machine's running jobs are polled (one batched query per poll).</summary>
    public TimeSpan PollPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a job may go without any answer from the scheduler before it is reported Lost.</summary>
    public TimeSpan LostAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long an SSH connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest wait between reconnection attempts after the machine could not be reached.</summary>
    public TimeSpan MaxReconnectBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest file a handler may read from a job's directory into memory (ReadFileAsync), in bytes.</summary>
    public long MaxReadBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Scheduler settings (partition, QoS, account, reservation) for the jobs of incidents of each urgency.</summary>
    public Dictionary<Incidents.IncidentUrgency, UrgencyPlacement> Urgency { get; set; } = [];

    /// <summary>
    /// Most of the engine's jobs the scheduler may hold at once, waiting or running (the site's limit of submitted jobs
    /// per user); null: no limit. Jobs beyond it wait in the engine, the most urgent first, then the oldest.
    /// </summary>
    public int? MaxQueuedJobs { get; set; }

    /// <summary>
    /// Most of the engine's jobs that may run at once (the site's limit of running jobs per user); null: no limit. The
    /// engine cannot start a job, only submit it, so it keeps no more than this many in the scheduler: none of its jobs
    /// waits in the site's queue behind a less urgent one of its own.
    /// </summary>
    public int? MaxRunningJobs { get; set; }

    /// <summary>Most submissions a minute (a login node's or scheduler's rate limit); null: no limit.</summary>
    public int? SubmissionsPerMinute { get; set; }

    /// <summary>How far an Emergency incident's job may pass the limits above (default 1; 0: not at all).</summary>
    public int EmergencyMargin { get; set; } = 1;

    /// <summary>
    /// Whether an ensemble runs as one scheduler array (default true; Slurm only: on PBS, and with any limit of
    /// submissions set, an ensemble is a job per member). Set false where the site refuses or caps arrays.
    /// </summary>
    public bool Arrays { get; set; } = true;

    /// <summary>Whether any limit of submissions is set.</summary>
    internal bool LimitsSubmissions => MaxQueuedJobs is not null || MaxRunningJobs is not null || SubmissionsPerMinute is not null;

    /// <summary>Every problem of this machine's settings, each by its key under Hpc:Machines:<paramref name="name"/>.</summary>
    public IEnumerable<string> Problems(string name)
    {
        string Key(string field) => $"Hpc:Machines:{name}:{field}";
        if (string.IsNullOrWhiteSpace(Host))
            yield return $"{Key("Host")} is empty; set the machine's SSH host name.";
        if (Port is <= 0 or > 65535)
            yield return $"{Key("Port")} is {Port}; set the machine's SSH port (usually 22).";
        if (string.IsNullOrWhiteSpace(User))
            yield return $"{Key("User")} is empty; set the account jobs are submitted as.";
        if (string.IsNullOrWhiteSpace(PrivateKey) || !File.Exists(PrivateKey))
            yield return $"{Key("PrivateKey")} \"{PrivateKey}\" is not a file; set the path of the private key that logs in as {User}.";
        else if (Certificate.Length > 0 && MachineCertificate.Problem(this) is { } certificate)
            yield return $"{Key(nameof(Certificate))} \"{Certificate}\" {certificate}";
        if (string.IsNullOrWhiteSpace(KnownHost))
            yield return $"{Key("KnownHost")} is empty; set the machine's known_hosts line (ask its administrators, or check `ssh-keyscan -p {Port} {Host}` against what they publish). Unknown host keys are never trusted.";
        else if (KnownHostProblem(Key("KnownHost")) is { } knownHost)
            yield return knownHost;
        if (!Enum.IsDefined(Scheduler))
            yield return $"{Key("Scheduler")} is {Scheduler}; set Slurm or Pbs.";
        if (Driver == MachineDriverKind.SlurmRest)
        {
            if (Scheduler != SchedulerKind.Slurm)
                yield return $"{Key("Driver")} is SlurmRest but {Key("Scheduler")} is {Scheduler}; slurmrestd drives Slurm only.";
            if (!Uri.TryCreate(RestUrl, UriKind.Absolute, out var rest) || rest.Scheme is not ("http" or "https"))
                yield return $"{Key("RestUrl")} \"{RestUrl}\" is not an http(s) URL; set slurmrestd's address, e.g. https://slurm-api.example.org:6820.";
            if (string.IsNullOrWhiteSpace(TokenFile) || !File.Exists(TokenFile))
                yield return $"{Key("TokenFile")} \"{TokenFile}\" is not a file; set the file holding {User}'s Slurm JWT (scontrol token, or the site's token service).";
            if (!System.Text.RegularExpressions.Regex.IsMatch(RestApiVersion, @"^v\d+\.\d+\.\d+$"))
                yield return $"{Key("RestApiVersion")} \"{RestApiVersion}\" is not a version such as v0.0.38.";
        }
        else if (!Enum.IsDefined(Driver))
            yield return $"{Key("Driver")} is {Driver}; set Ssh or SlurmRest.";
        if (string.IsNullOrWhiteSpace(BaseDirectory) || !BaseDirectory.StartsWith('/'))
            yield return $"{Key("BaseDirectory")} \"{BaseDirectory}\" is not an absolute path; set the directory on the machine where job directories are made.";
        if (PollPeriod < TimeSpan.FromSeconds(1))
            yield return $"{Key("PollPeriod")} is {PollPeriod}; set at least 1 second (a minute is kind to shared login nodes).";
        if (LostAfter <= PollPeriod)
            yield return $"{Key("LostAfter")} ({LostAfter}) must be longer than {Key("PollPeriod")} ({PollPeriod}).";
        foreach (var (urgency, placement) in Urgency)
        {
            var probe = placement.Place(new SimulationRequest { Machine = name, Script = "true", NotifyQueue = "check" });
            string? problem;
            try
            {
                probe.Validate();
                problem = Schedulers.IScheduler.For(Scheduler).Unsupported(probe);
            }
            catch (ArgumentException e)
            {
                problem = e.Message;
            }
            if (problem is not null)
                yield return $"{Key($"Urgency:{urgency}")}: {problem}.";
        }
        if (MaxReadBytes is < 1 or > int.MaxValue)
            yield return $"{Key("MaxReadBytes")} is {MaxReadBytes}; set a size in bytes from 1 to {int.MaxValue} (default 16777216).";
        foreach (var (limit, value) in new[] { (nameof(MaxQueuedJobs), MaxQueuedJobs), (nameof(MaxRunningJobs), MaxRunningJobs), (nameof(SubmissionsPerMinute), SubmissionsPerMinute) })
            if (value is < 1)
                yield return $"{Key(limit)} is {value}; set at least 1, or leave it out for no limit.";
        if (EmergencyMargin < 0)
            yield return $"{Key(nameof(EmergencyMargin))} is {EmergencyMargin}; set 0 or more (how many jobs an Emergency may pass the limits by).";
    }

    private string? KnownHostProblem(string key)
    {
        try
        {
            _ = Machines.KnownHost.Parse(KnownHost, key);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}

/// <summary>The HPC machines the engine may submit to, bound from the "Hpc" configuration section.</summary>
public sealed class HpcOptions : IValidatedOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Hpc";

    /// <summary>The machines by name, as handlers name them in a SimulationRequest.</summary>
    public Dictionary<string, MachineOptions> Machines { get; set; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public IEnumerable<string> Problems() => Machines.SelectMany(m => m.Value.Problems(m.Key));

    /// <summary>The shortest poll period of any machine: Orleans must allow reminders that frequent.</summary>
    public TimeSpan ShortestPollPeriod => Machines.Count == 0 ? TimeSpan.FromMinutes(1) : Machines.Values.Min(m => m.PollPeriod);
}
