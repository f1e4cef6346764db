using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Collections.Concurrent;
using OrleansWorkflow.Simulations.Schedulers;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>The configured HPC machines of this silo, each with its one reused connection.</summary>
internal sealed class HpcMachines(IOptions<HpcOptions> settings, IMachineDrivers drivers) : IAsyncDisposable
{
    private readonly HpcOptions _options = settings.Value;
    private readonly ConcurrentDictionary<string, Lazy<Machine>> _machines = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => _options.Machines.Keys;

    /// <summary>The last poll of each machine this silo has polled.</summary>
    public IEnumerable<(string Machine, MachinePoll Poll)> LastPolls =>
        _machines.Where(m => m.Value.IsValueCreated && m.Value.Value.LastPoll is not null).Select(m => (m.Key, m.Value.Value.LastPoll!));

    public bool IsConfigured(string name) => _options.Machines.ContainsKey(name);

    /// <summary>The configured machines that log in with a certificate, with when it stops being valid (or why it cannot be read).</summary>
    public IEnumerable<(string Machine, DateTimeOffset? ValidBefore, string? Problem)> Certificates =>
        _options.Machines.Where(m => m.Value.Certificate.Length > 0).Select(m => Certificate(m.Key));

    /// <summary>When machine <paramref name="name"/>'s certificate stops being valid; null without one, or when it cannot be read.</summary>
    public DateTimeOffset? CertificateValidBefore(string name) => Certificate(name).ValidBefore;

    /// <summary>The machine's certificate file, read now.</summary>
    private (string Machine, DateTimeOffset? ValidBefore, string? Problem) Certificate(string name)
    {
        try
        {
            return (name, MachineCertificate.ValidBefore(_options.Machines[name]), null);
        }
        catch (Exception e)
        {
            return (name, null, e.Message);
        }
    }

    /// <summary>How long before its certificate expires machine <paramref name="name"/> is reported.</summary>
    public TimeSpan CertificateWarning(string name) => _options.Machines[name].CertificateWarning;

    public Machine Get(string name)
    {
        Require(name);
        return _machines.GetOrAdd(name, n => new Lazy<Machine>(() => Open(n))).Value;
    }

    /// <summary>Throws, naming the settings to add, when <paramref name="name"/> is not a configured machine.</summary>
    public void Require(string name)
    {
        if (!IsConfigured(name))
        {
            var known = _options.Machines.Count == 0 ? "none is configured" : "configured: " + string.Join(", ", _options.Machines.Keys);
            throw new ArgumentException($"No HPC machine named \"{name}\" ({known}); configure Hpc:Machines:{name}:Host, Port, User, PrivateKey, KnownHost, Scheduler and BaseDirectory.");
        }
    }

    private Machine Open(string name)
    {
        var machine = _options.Machines[name];
        return new Machine(name, machine, IScheduler.For(machine.Scheduler), drivers.Open(name, machine));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var machine in _machines.Values.Where(m => m.IsValueCreated))
            await machine.Value.DisposeAsync();
    }
}

/// <summary>Machines driven over SSH (or their scheduler through slurmrestd), each on one reused connection: the engine's drivers unless a host gives others.</summary>
internal sealed class SshMachineDrivers(TimeProvider clock, ILoggerFactory loggers) : IMachineDrivers
{
    public IMachineDriver Open(string name, MachineOptions options)
    {
        var ssh = new SshMachineDriver(name, options, new MachineConnection(name, options, clock, loggers.CreateLogger<MachineConnection>()), IScheduler.For(options.Scheduler));
        return options.Driver == MachineDriverKind.SlurmRest
            ? new SlurmRestDriver(name, options, ssh, new HttpClient { BaseAddress = new Uri(options.RestUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(2) })
            : ssh;
    }
}
