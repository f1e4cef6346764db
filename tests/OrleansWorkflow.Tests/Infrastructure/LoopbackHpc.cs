using Microsoft.Extensions.Configuration;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// The loopback HPC machine that scripts/services.sh starts (sshd on 127.0.0.1:2222 before a one-node Slurm),
/// as the tests configure it, and the local Slurm and service commands the tests use to act on it.
/// </summary>
public static class LoopbackHpc
{
    public const string Machine = "loopback";

    /// <summary>The same sshd and account, pinned to a key the server does not have.</summary>
    public const string Impostor = "impostor";
    /// <summary>The loopback Slurm again, its jobs held by a reservation a year ahead.</summary>
    public const string Held = "loopback-held";
    /// <summary>The loopback Slurm again, with at most <see cref="CappedRunningJobs"/> of the engine's jobs at once (Emergency: one more).</summary>
    public const string Capped = "loopback-capped";
    public const int CappedRunningJobs = 2;
    /// <summary>The loopback machine set to refuse scheduler arrays (Arrays=false): an ensemble runs as a job per member.</summary>
    public const string NoArrays = "loopback-no-arrays";
    /// <summary>The loopback machine with its Slurm driven through slurmrestd and a JWT (files still over SFTP).</summary>
    public const string Rest = "loopback-rest";
    /// <summary>As <see cref="Rest"/>, with a token slurmrestd refuses.</summary>
    public const string RestRefused = "loopback-rest-refused";
    /// <summary>The loopback Slurm again, logging in with a key its account does not list, and a certificate of the machine's user CA valid for two hours.</summary>
    public const string Certified = "loopback-cert";
    /// <summary>The same, with a certificate valid for 30 more minutes (less than its CertificateWarning of an hour).</summary>
    public const string CertificateSoonExpired = "loopback-cert-soon";
    /// <summary>The same, with a certificate that expired an hour ago.</summary>
    public const string CertificateExpired = "loopback-cert-expired";

    public static readonly TimeSpan PollPeriod = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Environment of a silo process that runs the fire sample's remote path on this machine, polling every second and
    /// retrying soon after an sshd outage (another collection's test may hold sshd down for 30 s meanwhile).
    /// </summary>
    public static Dictionary<string, string> RemoteFireSilo() => new()
    {
        ["OWF_Fire__Machine"] = Machine,
        [$"OWF_Hpc__Machines__{Machine}__PollPeriod"] = PollPeriod.ToString(),
        [$"OWF_Hpc__Machines__{Machine}__MaxReconnectBackoff"] = "00:00:02",
    };

    public static HpcOptions Options()
    {
        var options = new HpcOptions();
        new ConfigurationBuilder().AddEnvironmentVariables("OWF_").Build().GetSection(HpcOptions.Section).Bind(options);
        if (!options.Machines.TryGetValue(Machine, out var loopback))
            return options;
        loopback.PollPeriod = PollPeriod;
        loopback.MaxReconnectBackoff = TimeSpan.FromSeconds(2);
        // The same Slurm under a second name, whose jobs wait for a reservation a year ahead: a machine that starts nothing soon.
        options.Machines[Held] = Again(loopback, held => held.Urgency[Incidents.IncidentUrgency.Routine] = new UrgencyPlacement { Reservation = "owf_later" });
        options.Machines[Capped] = Again(loopback, capped => (capped.MaxRunningJobs, capped.EmergencyMargin) = (CappedRunningJobs, 1));
        options.Machines[NoArrays] = Again(loopback, single => single.Arrays = false);
        foreach (var (machine, token) in new[] { (Rest, RestToken), (RestRefused, RefusedToken()) })
            if (RestToken is not null)
                options.Machines[machine] = Again(loopback, rest => (rest.Driver, rest.RestUrl, rest.TokenFile) = (MachineDriverKind.SlurmRest, Environment.GetEnvironmentVariable("OWF_TEST_SLURMREST_URL")!, token!));
        if (File.Exists(UserCa(loopback)))
            foreach (var (machine, validity) in new[] { (Certified, "-5m:+2h"), (CertificateSoonExpired, "-5m:+30m"), (CertificateExpired, "-2h:-1h") })
                options.Machines[machine] = Again(loopback, certified => (certified.PrivateKey, certified.Certificate) = CertifiedKey(loopback, machine, validity));
        // Our own client key: a well-formed ed25519 key, but not the server's host key.
        options.Machines[Impostor] = Again(loopback, impostor => impostor.KnownHost = $"[{loopback.Host}]:{loopback.Port} " + File.ReadAllText(loopback.PrivateKey + ".pub").Trim());
        return options;
    }

    /// <summary>The file of the JWT scripts/hpc-machine.sh had Slurm issue for the account; null without slurmrestd.</summary>
    private static string? RestToken => Environment.GetEnvironmentVariable("OWF_TEST_SLURMREST_TOKEN");

    /// <summary>Settings that make a silo process drive the loopback machine's Slurm through slurmrestd.</summary>
    public static Dictionary<string, string> RestDriven() => new()
    {
        [$"OWF_Hpc__Machines__{Machine}__Driver"] = nameof(MachineDriverKind.SlurmRest),
        [$"OWF_Hpc__Machines__{Machine}__RestUrl"] = Environment.GetEnvironmentVariable("OWF_TEST_SLURMREST_URL") ?? throw new InvalidOperationException("slurmrestd is not set up: run scripts/services.sh up."),
        [$"OWF_Hpc__Machines__{Machine}__TokenFile"] = RestToken!,
    };

    /// <summary>How many jobs slurmrestd was asked to submit so far, by its log (it runs with -v, logging each request).</summary>
    public static async Task<int> RestSubmissionsAsync()
    {
        var log = Path.Combine(Path.GetDirectoryName(RestToken ?? throw new InvalidOperationException("slurmrestd is not set up: run scripts/services.sh up."))!, "slurmrestd.log");
        return (await File.ReadAllLinesAsync(log)).Count(l => l.Contains("POST /slurm/v0.0.38/job/submit", StringComparison.Ordinal));
    }

    /// <summary>A well-formed JWT that slurmrestd refuses: signed with another key.</summary>
    private static string RefusedToken()
    {
        var path = Path.Combine(CertificateDirectory, "refused-token");
        lock (CertificateDirectory)
        {
            Directory.CreateDirectory(CertificateDirectory);
            File.WriteAllText(path, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTc5NjU1MDAwMCwic3VuIjoib3dmaHBjIn0.c2lnbmVkLXdpdGgtYW5vdGhlci1rZXk\n");
        }
        return path;
    }

    /// <summary>The loopback machine under another name: its connection and Slurm, polled every second, then as <paramref name="change"/> says.</summary>
    private static MachineOptions Again(MachineOptions loopback, Action<MachineOptions> change)
    {
        var machine = new MachineOptions
        {
            Host = loopback.Host, Port = loopback.Port, User = loopback.User, PrivateKey = loopback.PrivateKey, KnownHost = loopback.KnownHost,
            Scheduler = loopback.Scheduler, BaseDirectory = loopback.BaseDirectory, PollPeriod = PollPeriod, MaxReconnectBackoff = TimeSpan.FromSeconds(2),
        };
        change(machine);
        return machine;
    }

    /// <summary>The loopback machine's user CA (scripts/hpc-machine.sh makes it beside the account's key; its sshd trusts it).</summary>
    private static string UserCa(MachineOptions loopback) => Path.Combine(Path.GetDirectoryName(loopback.PrivateKey)!, "user_ca");

    private static readonly string CertificateDirectory = Path.Combine(Path.GetTempPath(), $"owf-ssh-certificates-{Environment.ProcessId}");

    /// <summary>
    /// A new key (not in the account's authorized_keys) and its certificate, signed by the machine's user CA for the
    /// machine's account, valid for <paramref name="validity"/> (ssh-keygen -V); made once per test run and machine.
    /// </summary>
    private static (string Key, string Certificate) CertifiedKey(MachineOptions loopback, string machine, string validity)
    {
        var key = Path.Combine(CertificateDirectory, machine);
        var certificate = key + "-cert.pub";
        lock (CertificateDirectory)
            if (!File.Exists(certificate))
            {
                Directory.CreateDirectory(CertificateDirectory);
                File.Delete(key);
                TestServices.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", machine, "-f", key).GetAwaiter().GetResult();
                TestServices.RunAsync("ssh-keygen", "-q", "-s", UserCa(loopback), "-I", machine, "-n", loopback.User, "-V", validity, key + ".pub").GetAwaiter().GetResult();
            }
        return (key, certificate);
    }

    public static MachineOptions Require(HpcOptions options, string machine = Machine) =>
        options.Machines.GetValueOrDefault(machine) ?? throw new InvalidOperationException(
            "The loopback HPC machine is not configured: run the tests with ./test.sh, or `scripts/services.sh up` and " +
            "`eval \"$(scripts/services.sh env)\"` before dotnet test.");

    /// <summary>The fingerprint of the host key the loopback sshd really offers.</summary>
    public static string HostKeyFingerprint(MachineOptions machine) =>
        KnownHost.Parse(machine.KnownHost, "known host").Fingerprint;

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansWorkflow.sln")))
                directory = directory.Parent;
            return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the repository: OrleansWorkflow.sln not found above them.");
        }
    }

    /// <summary>
    /// One sshd outage at a time across the test run: collections run in parallel, and one's restart of sshd in the
    /// middle of another's outage lets through a poll the other asserts cannot happen. A test that stops sshd holds
    /// the reservation from before it starts the work the outage is about until it is done; only a reservation can
    /// stop sshd.
    /// </summary>
    private static readonly SemaphoreSlim OneOutage = new(1, 1);

    public static async Task<SshdReservation> ReserveSshdOutageAsync()
    {
        // A test holds it at most about three minutes (a 30 s outage, then its patience for the ends): five means one was never released.
        if (!await OneOutage.WaitAsync(TimeSpan.FromMinutes(5)))
            throw new TimeoutException("Another test has held the sshd outage for 5 minutes: a test that stops sshd must release its reservation when done.");
        return new SshdReservation();
    }

    /// <summary>The right to stop the shared sshd, until disposed.</summary>
    public sealed class SshdReservation : IAsyncDisposable
    {
        internal SshdReservation() { }

        /// <summary>Stops sshd; disposing the result starts it again.</summary>
        public async Task<IAsyncDisposable> StopAsync()
        {
            // Counted from before the stop: a poll refused while it is under way is part of the outage.
            var outage = new Outage();
            try
            {
                await Services("down", "sshd");
            }
            catch
            {
                await outage.DisposeAsync();
                throw;
            }
            return outage;
        }

        public ValueTask DisposeAsync()
        {
            OneOutage.Release();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Outage : IAsyncDisposable
    {
        private readonly long _began = System.Diagnostics.Stopwatch.GetTimestamp();

        public Outage()
        {
            lock (Downtime)
                _current = this;
        }

        public TimeSpan Lasted => System.Diagnostics.Stopwatch.GetElapsedTime(_began);

        public async ValueTask DisposeAsync()
        {
            await Services("start", "sshd");
            lock (Downtime)
            {
                _pastOutages += Lasted;
                _current = null;
            }
        }
    }

    private static readonly object Downtime = new();
    private static Outage? _current;
    private static TimeSpan _pastOutages;

    /// <summary>
    /// How long the tests have held sshd down so far in this run, the outage under way included. A wait for a job's
    /// progress does not count it: another collection's outage may fall in the middle of that wait.
    /// </summary>
    public static TimeSpan SshdDowntime
    {
        get
        {
            lock (Downtime)
                return _pastOutages + (_current?.Lasted ?? TimeSpan.Zero);
        }
    }

    private static Task Services(string verb, string name) =>
        TestServices.RunAsync("bash", Path.Combine(RepositoryRoot, "scripts", "services.sh"), verb, name);

    /// <summary>
    /// Slurm's job state word for <paramref name="jobId"/>: asked locally (scontrol), or, once Slurm forgot the job
    /// (MinJobAge is 30 s on the loopback Slurm), read from its job completion log.
    /// </summary>
    public static async Task<string> JobStateAsync(string jobId)
    {
        if (await SlurmKnowsAsync(jobId))
            return Field(await TestServices.RunAsync("scontrol", "-o", "show", "job", jobId), "JobState");
        var ended = (await CompletedJobsAsync()).LastOrDefault(j => Field(j, "JobId") == jobId)
            ?? throw new InvalidOperationException($"Slurm knows no job {jobId}, and its completion log has none either.");
        return Field(ended, "JobState");
    }

    /// <summary>Ids of every job Slurm ran or runs (forgotten ones included) whose working directory is under <paramref name="path"/>.</summary>
    public static async Task<IReadOnlyList<string>> JobsUnderAsync(string path)
    {
        var lines = await TestServices.RunAsync("squeue", "-h", "-t", "all", "-o", "%i %Z");
        var known = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2))
            .Where(f => f.Length == 2 && f[1].StartsWith(path, StringComparison.Ordinal))
            .Select(f => f[0]);
        var forgotten = (await CompletedJobsAsync())
            .Where(j => Field(j, "WorkDir").StartsWith(path, StringComparison.Ordinal))
            .Select(j => Field(j, "JobId"));
        return [.. known.Concat(forgotten).Distinct()];
    }

    /// <summary>Whether Slurm still knows <paramref name="jobId"/> (it forgets a finished job MinJobAge after its end).</summary>
    public static async Task<bool> SlurmKnowsAsync(string jobId)
    {
        try
        {
            await TestServices.RunAsync("scontrol", "-o", "show", "job", jobId);
            return true;
        }
        catch (Exception e) when (e.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
    }

    /// <summary>The loopback Slurm's job completion log (jobcomp/filetxt): one line per ended job.</summary>
    private static async Task<IReadOnlyList<string>> CompletedJobsAsync()
    {
        var log = Path.Combine(Path.GetDirectoryName(Environment.GetEnvironmentVariable("SLURM_CONF")) ?? "", "jobcomp.log");
        return File.Exists(log) ? (await File.ReadAllLinesAsync(log)).Where(l => l.StartsWith("JobId=", StringComparison.Ordinal)).ToList() : [];
    }

    /// <summary>When each of <paramref name="jobIds"/> started and ended, from the completion log (to the second).</summary>
    public static async Task<IReadOnlyDictionary<string, (DateTime Start, DateTime End)>> RunTimesAsync(IEnumerable<string> jobIds)
    {
        var wanted = jobIds.ToHashSet();
        return (await CompletedJobsAsync()).Where(j => wanted.Contains(Field(j, "JobId")))
            .ToDictionary(j => Field(j, "JobId"), j => (DateTime.Parse(Field(j, "StartTime")), DateTime.Parse(Field(j, "EndTime"))));
    }

    private static string Field(string line, string key) =>
        line.Split(' ').FirstOrDefault(f => f.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..] ?? "";

    public static Task ScancelAsync(string jobId) => TestServices.RunAsync("scancel", jobId);
}
