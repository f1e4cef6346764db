using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansWorkflow.Client;
using OrleansWorkflow.Configuration;
using OrleansWorkflow.Messaging;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// An engine host (by default owf-test-silo: the samples' host with fault injection, as built with the tests) in a child process on a test's database and broker,
/// so a test can kill it with SIGKILL mid-work and start another.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    public int GatewayPort { get; }
    public string ServiceId { get; }
    public string BrokerUri { get; }

    /// <summary>The broker's other nodes the silo was given (RabbitMQ:Hosts), which its clients and owf are given too.</summary>
    public IReadOnlyList<string> BrokerHosts { get; private init; } = [];

    /// <summary>The silo's web view (incident pages, HTTP API, dashboard), on a port of its own.</summary>
    public Uri WebUrl { get; }

    private SiloProcess(Process process, ConcurrentQueue<string> output, int gatewayPort, string serviceId, string brokerUri, Uri webUrl)
    {
        _output = output;
        WebUrl = webUrl;
        _process = process;
        GatewayPort = gatewayPort;
        ServiceId = serviceId;
        BrokerUri = brokerUri;
    }

    /// <summary>The samples' host, with the fire and A -> B workflows.</summary>
    public static readonly BuiltProgram.Location SamplesHost = new(Path.Combine("samples", "OrleansWorkflow.Samples.Silo"), "owf-samples-silo.dll");

    /// <summary>The samples' host plus the "Faults" section (OWF_Faults__*), which only this test host binds.</summary>
    public static readonly BuiltProgram.Location TestHost = new(Path.Combine("tests", "OrleansWorkflow.Tests.Silo"), "owf-test-silo.dll");

    /// <summary>The shipped engine host, which knows no workflow.</summary>
    public static readonly BuiltProgram.Location ShippedHost = new(Path.Combine("silo", "OrleansWorkflow.Silo"), "owf-silo.dll");

    public static Task<SiloProcess> StartAsync(TestDatabase database, TestVirtualHost broker, IDictionary<string, string>? settings = null, BuiltProgram.Location? host = null, bool untilReady = true) =>
        StartAsync(database.ConnectionString, database.Name, broker, settings, host, untilReady);

    /// <summary>
    /// Starts a silo process and, unless <paramref name="untilReady"/> is false (for a silo the test expects to die
    /// while it starts), returns once it consumes and serves its pages.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string database, string serviceId, TestVirtualHost broker, IDictionary<string, string>? settings = null, BuiltProgram.Location? host = null, bool untilReady = true)
    {
        var start = BuiltProgram.StartInfo(host ?? TestHost);
        var gatewayPort = TestServices.FreePort();
        start.Environment["OWF_Storage__PostgreSql"] = database;
        start.Environment["OWF_RabbitMQ__Uri"] = broker.Uri;
        start.Environment["OWF_Cluster__SiloPort"] = TestServices.FreePort().ToString();
        start.Environment["OWF_Cluster__GatewayPort"] = gatewayPort.ToString();
        start.Environment["OWF_Cluster__ServiceId"] = serviceId;
        start.Environment["OWF_Cluster__ClusterId"] = serviceId;
        var webUrl = new Uri($"http://127.0.0.1:{TestServices.FreePort()}");
        start.Environment["OWF_Urls"] = webUrl.ToString().TrimEnd('/');
        // The generated admin key goes beside the test, not into the home directory's key file of a real cluster.
        start.Environment["OWF_Web__AdminKeyFile"] = AdminKeyFileOf(serviceId);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        var output = new ConcurrentQueue<string>();
        var serves = !start.Environment.TryGetValue("OWF_Web__Enabled", out var enabled) || enabled != "false";
        var silo = new SiloProcess(BuiltProgram.Start(start, output, output), output, gatewayPort, serviceId, start.Environment["OWF_RabbitMQ__Uri"]!, webUrl)
        {
            CreatesAdminKey = serves && !start.Environment.Keys.Any(k => k.StartsWith("OWF_Web__ApiKeys", StringComparison.Ordinal)),
            AdminKeyFile = start.Environment["OWF_Web__AdminKeyFile"]!,
            BrokerHosts = [.. start.Environment.Where(e => e.Key.StartsWith("OWF_RabbitMQ__Hosts__", StringComparison.Ordinal))
                .OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Value!)],
        };
        if (!untilReady)
            return silo;
        await silo.WaitForLogAsync("RabbitMQ adapter consuming", TimeSpan.FromSeconds(60));
        // The web server starts after the silo: wait until it listens, so a test's first request is answered.
        if (!start.Environment.TryGetValue("OWF_Web__Enabled", out var web) || web != "false")
            await silo.WaitForLogAsync("Incident pages on", TimeSpan.FromSeconds(30));
        return silo;
    }

    /// <summary>
    /// A client of this silo (localhost membership), or of the whole cluster when <paramref name="membershipDatabase"/>
    /// is given. It names itself with <paramref name="apiKey"/>, by default the admin key the silo created (none when the
    /// silo has no web component or was given keys).
    /// </summary>
    public async Task<WorkflowClient> ConnectAsync(string? membershipDatabase = null, QueueType queueType = QueueType.Classic, string? brokerUri = null, string? tlsCaFile = null,
        ClusterTls? clusterTls = null, string? apiKey = null, CancellationToken cancellationToken = default) =>
        await WorkflowClient.ConnectAsync(new WorkflowClientOptions
        {
            Tls = clusterTls ?? new ClusterTls(),
            RabbitMq = { Uri = brokerUri ?? BrokerUri, Hosts = brokerUri is null ? [.. BrokerHosts] : [], QueueType = queueType, TlsCaFile = tlsCaFile },
            GatewayPort = GatewayPort,
            ServiceId = ServiceId,
            ClusterId = ServiceId,
            Membership = membershipDatabase is null ? ClusterMembership.Localhost : ClusterMembership.PostgreSql,
            PostgreSql = membershipDatabase,
            ApiKey = apiKey ?? await AdminKeyAsync(),
        }, cancellationToken: cancellationToken);

    /// <summary>Whether the silo creates an admin key (it serves the web view and was given no key).</summary>
    private bool CreatesAdminKey { get; init; }

    /// <summary>Where the silo writes its admin key (Web:AdminKeyFile).</summary>
    public string AdminKeyFile { get; private init; } = "";

    /// <summary>The admin key the silo wrote to its key file (it writes it just after it starts), or null when it writes none.</summary>
    public async Task<string?> AdminKeyAsync()
    {
        if (!CreatesAdminKey)
            return null;
        var file = AdminKeyFile;
        await Eventually.UntilAsync(() => Task.FromResult(File.Exists(file) && new FileInfo(file).Length > 0), written => written, TimeSpan.FromSeconds(60), $"the admin key in {file}");
        return (await File.ReadAllTextAsync(file)).Trim();
    }

    public string Log => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public Task WaitForLogAsync(string text, TimeSpan timeout) =>
        WaitForLogAsync(line => line.Contains(text, StringComparison.Ordinal), $"\"{text}\"", timeout);

    /// <summary>Waits until the silo wrote a line that <paramref name="matches"/>; <paramref name="described"/> names such a line in the error.</summary>
    public async Task WaitForLogAsync(Func<string, bool> matches, string described, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_output.Any(matches))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"owf-silo exited ({_process.ExitCode}) before logging {described}:\n{Log}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"owf-silo did not log {described} in {timeout}:\n{Log}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the process to end by itself (a fault-injection crash point) and returns how long that took.</summary>
    public Task WaitForExitAsync(TimeSpan timeout) => BuiltProgram.WaitForExitAsync(_process, timeout, () => $"owf-silo, whose output is:\n{Log}\n,");

    /// <summary>SIGTERM, as an operator stops a silo: it leaves the cluster after finishing its in-flight messages.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await TestServices.RunAsync("kill", "-TERM", _process.Id.ToString());
        await WaitForExitAsync(timeout);
    }

    /// <summary>SIGKILL: no shutdown, no flushing, as a crashed machine.</summary>
    public async Task KillAsync()
    {
        ProcessTree.Kill(_process);
        await BuiltProgram.WaitForExitAsync(_process, TimeSpan.FromSeconds(60), () => "a killed silo");
    }

    /// <summary>Where the silos of a test's cluster write its admin key: it belongs to the database (the key is kept there), which deletes it.</summary>
    public static string AdminKeyFileOf(string serviceId) => Path.Combine(Path.GetTempPath(), $"owf-admin-key-{serviceId}");

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
