namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// A RabbitMQ node of one test's own (its own node name, data directory and ports on 127.0.0.1), that the test may
/// shut down and start again without touching the broker the other tests share. Besides plain AMQP it listens for
/// amqps:// with a certificate for 127.0.0.1 only, issued by a CA made for this node (<see cref="CaFile"/>).
/// </summary>
public sealed class PrivateRabbitMq : IAsyncDisposable
{
    private readonly string _directory;
    private readonly int _distributionPort;

    private PrivateRabbitMq(string directory)
    {
        _directory = directory;
        var port = TestServices.FreePort();
        Node = new RabbitMqNode($"owf-test-{port}@localhost", port);
        TlsPort = TestServices.FreePort();
        _distributionPort = TestServices.FreePort();
    }

    public RabbitMqNode Node { get; }
    public int TlsPort { get; }
    public string CaFile => Path.Combine(_directory, "ca.pem");

    /// <summary>Starts a node; <paramref name="extraConfiguration"/> lines (rabbitmq.conf syntax) are added to its configuration.</summary>
    public static async Task<PrivateRabbitMq> StartAsync(string extraConfiguration = "")
    {
        var directory = Path.Combine("/var/tmp/orleans-workflow", $"test-rmq-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(directory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(directory, "log"));
        var node = new PrivateRabbitMq(directory);
        await node.WriteCertificatesAsync();
        await File.WriteAllTextAsync(Path.Combine(directory, "enabled_plugins"), "[].\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{node.Node.Port}
            listeners.ssl.default = 127.0.0.1:{node.TlsPort}
            ssl_options.cacertfile = {node.CaFile}
            ssl_options.certfile = {directory}/server.pem
            ssl_options.keyfile = {directory}/server.key
            ssl_options.verify = verify_none
            ssl_options.fail_if_no_peer_cert = false
            {extraConfiguration}

            """);
        await TestServices.RunAsync("chown", "-R", "rabbitmq:rabbitmq", directory);
        await node.StartAgainAsync();
        return node;
    }

    /// <summary>Everything the node logged so far.</summary>
    public string Log =>
        string.Join('\n', Directory.EnumerateFiles(Path.Combine(_directory, "log"), "*.log").Select(file =>
        {
            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return reader.ReadToEnd();
        }));

    /// <summary>Kills the node's Erlang VM with SIGKILL, as a crashed machine would: nothing is flushed or closed.</summary>
    public async Task KillAsync()
    {
        var pid = (await File.ReadAllTextAsync(Path.Combine(_directory, "pid"))).Trim();
        await TestServices.RunAsync("kill", "-KILL", pid);
    }

    /// <summary>Makes this node a member of <paramref name="first"/>'s cluster (both run as this machine's root, so share its Erlang cookie).</summary>
    public async Task JoinAsync(PrivateRabbitMq first)
    {
        await Node.CtlAsync("stop_app");
        await Node.CtlAsync("join_cluster", first.Node.NodeName!);
        await Node.CtlAsync("start_app");
    }

    /// <summary>A clean shutdown of the whole node (its Erlang VM ends), as an operator restarting the broker does.</summary>
    public Task StopAsync() => Node.CtlAsync("shutdown");

    public async Task StartAgainAsync()
    {
        await TestServices.RunAsync("env",
            $"RABBITMQ_NODENAME={Node.NodeName}",
            $"RABBITMQ_MNESIA_BASE={_directory}/mnesia",
            $"RABBITMQ_LOG_BASE={_directory}/log",
            $"RABBITMQ_PID_FILE={_directory}/pid",
            $"RABBITMQ_CONFIG_FILE={_directory}/rabbitmq.conf",
            $"RABBITMQ_ENABLED_PLUGINS_FILE={_directory}/enabled_plugins",
            $"RABBITMQ_DIST_PORT={_distributionPort}",
            "ERL_EPMD_ADDRESS=127.0.0.1",
            "RABBITMQ_SERVER_START_ARGS=-kernel inet_dist_use_interface {127,0,0,1}",
            "rabbitmq-server", "-detached");
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await Node.CtlAsync("await_startup", "--timeout", "60");
                return true;
            }
            catch (InvalidOperationException)
            {
                return false; // right after -detached the node may not be known yet
            }
        }, up => up, TimeSpan.FromSeconds(90), $"RabbitMQ node {Node.NodeName} to start (log in {_directory}/log)");
    }

    /// <summary>An amqps:// URI of this node for a user of its own, made here with the given password.</summary>
    public async Task<string> TlsUriForNewUserAsync(TestVirtualHost virtualHost, string user, string password)
    {
        await Node.CtlAsync("add_user", user, password);
        await Node.CtlAsync("set_permissions", "-p", virtualHost.Name, user, ".*", ".*", ".*");
        return $"amqps://{user}:{Uri.EscapeDataString(password)}@127.0.0.1:{TlsPort}/{Uri.EscapeDataString(virtualHost.Name)}";
    }

    private async Task WriteCertificatesAsync()
    {
        string In(string file) => Path.Combine(_directory, file);
        await TestServices.RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", In("ca.key"), "-out", CaFile, "-subj", $"/CN=OrleansWorkflow test CA {Node.Port}");
        await TestServices.RunAsync("openssl", "req", "-newkey", "rsa:2048", "-nodes",
            "-keyout", In("server.key"), "-out", In("server.csr"), "-subj", "/CN=127.0.0.1");
        await File.WriteAllTextAsync(In("server.ext"), "subjectAltName=IP:127.0.0.1\n");
        await TestServices.RunAsync("openssl", "x509", "-req", "-days", "2", "-in", In("server.csr"), "-CA", CaFile, "-CAkey", In("ca.key"),
            "-CAcreateserial", "-out", In("server.pem"), "-extfile", In("server.ext"));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }
        Directory.Delete(_directory, recursive: true);
    }
}
