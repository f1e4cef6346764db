using System.Text;
using Microsoft.Extensions.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>
/// The engine's SSH link to one machine: one SSH session for commands and one SFTP session for files, opened
/// on first use and reused by every submission and poll. The host key must equal the pinned one. After a
/// failure the next attempt waits, doubling up to MaxReconnectBackoff, so a machine that is down is not hammered.
/// </summary>
internal sealed class MachineConnection(string name, MachineOptions options, TimeProvider clock, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly KnownHost _pin = KnownHost.Parse(options.KnownHost, $"Hpc:Machines:{name}:KnownHost");
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private SshClient? _ssh;
    private SftpClient? _sftp;
    private TimeSpan _backoff;
    private DateTimeOffset _nextAttempt;
    private string? _lastFailure;

    public string Name => name;

    public async Task<RemoteResult> RunAsync(string command, CancellationToken cancellationToken)
    {
        var ssh = await ConnectedAsync(() => _ssh, client => _ssh = client, info => new SshClient(info), cancellationToken);
        try
        {
            using var run = ssh.CreateCommand(command);
            run.CommandTimeout = CommandTimeout;
            await run.ExecuteAsync(cancellationToken);
            return new RemoteResult(run.ExitStatus ?? -1, run.Result, run.Error);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            throw Lost(e);
        }
    }

    public async Task WriteFileAsync(string path, string text, CancellationToken cancellationToken)
    {
        var sftp = await SftpAsync(cancellationToken);
        try
        {
            await using var file = await sftp.OpenAsync(path, FileMode.Create, FileAccess.Write, cancellationToken);
            await file.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            throw Lost(e);
        }
    }

    /// <summary>Reads a file as UTF-8 text, refusing it once more than <paramref name="maxBytes"/> came (it may grow while read).</summary>
    public async Task<string> ReadFileAsync(string path, int maxBytes, CancellationToken cancellationToken)
    {
        var sftp = await SftpAsync(cancellationToken);
        try
        {
            await using var file = await sftp.OpenAsync(path, FileMode.Open, FileAccess.Read, cancellationToken);
            using var read = new MemoryStream();
            var buffer = new byte[81920];
            int count;
            while ((count = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (read.Length + count > maxBytes)
                    throw new InvalidOperationException($"{path} on machine {name} grew over {maxBytes} bytes while it was read.");
                read.Write(buffer, 0, count);
            }
            return Encoding.UTF8.GetString(read.GetBuffer(), 0, (int)read.Length);
        }
        catch (SftpPathNotFoundException)
        {
            throw new FileNotFoundException($"{path} does not exist on machine {name}.", path);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            throw Lost(e);
        }
    }

    /// <summary>Opens a file for reading, streamed over SFTP (never held whole).</summary>
    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var sftp = await SftpAsync(cancellationToken);
        try
        {
            return await sftp.OpenAsync(path, FileMode.Open, FileAccess.Read, cancellationToken);
        }
        catch (SftpPathNotFoundException)
        {
            throw new FileNotFoundException($"{path} does not exist on machine {name}.", path);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            throw Lost(e);
        }
    }

    /// <summary>Creates (or replaces) a file for writing, streamed over SFTP.</summary>
    public async Task<Stream> OpenWriteAsync(string path, CancellationToken cancellationToken)
    {
        var sftp = await SftpAsync(cancellationToken);
        try
        {
            return await sftp.OpenAsync(path, FileMode.Create, FileAccess.Write, cancellationToken);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            throw Lost(e);
        }
    }

    private Task<SftpClient> SftpAsync(CancellationToken cancellationToken) =>
        ConnectedAsync(() => _sftp, client => _sftp = client, info => new SftpClient(info) { OperationTimeout = CommandTimeout }, cancellationToken);

    private async Task<T> ConnectedAsync<T>(Func<T?> current, Action<T?> keep, Func<ConnectionInfo, T> create, CancellationToken cancellationToken)
        where T : BaseClient
    {
        if (current() is { IsConnected: true } connected)
            return connected;

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (current() is { IsConnected: true } raced)
                return raced;
            current()?.Dispose();
            keep(null);

            var now = clock.GetUtcNow();
            if (now < _nextAttempt)
                throw new MachineUnreachableException(name, $"Machine {name} ({options.Host}:{options.Port}) is unreachable: {_lastFailure}; next attempt in {(_nextAttempt - now).TotalSeconds:0} s.");

            var client = create(ConnectionInfo());
            string? offered = null;
            client.HostKeyReceived += (_, e) =>
            {
                e.CanTrust = _pin.Matches(e.HostKey);
                if (!e.CanTrust)
                    offered = $"{e.HostKeyName} {KnownHost.FingerprintOf(e.HostKey)}";
            };
            client.KeepAliveInterval = TimeSpan.FromSeconds(30);
            try
            {
                await client.ConnectAsync(cancellationToken);
            }
            catch (Exception e) when (offered is not null)
            {
                client.Dispose();
                throw Failed(new HostKeyMismatchException(name,
                    $"Machine {name} ({options.Host}:{options.Port}) offered host key {offered}, which is not the pinned {_pin.KeyType} {_pin.Fingerprint} " +
                    $"of Hpc:Machines:{name}:KnownHost; refusing to connect ({e.Message}). If the machine's key really changed, put its new known_hosts line in that setting."));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                client.Dispose();
                throw Failed(new MachineUnreachableException(name, $"Machine {name} ({options.Host}:{options.Port}) cannot be reached as {options.User}: {e.Message}", e));
            }

            if (_lastFailure is not null)
                logger.LogInformation("Machine {Machine} reachable again ({Host}:{Port})", name, options.Host, options.Port);
            _backoff = TimeSpan.Zero;
            _lastFailure = null;
            keep(client);
            return client;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private ConnectionInfo ConnectionInfo()
    {
        var info = new PrivateKeyConnectionInfo(options.Host, options.Port, options.User, MachineCertificate.Login(options))
        {
            Timeout = options.ConnectTimeout,
        };
        // Offer only the pinned key's algorithms, so a server with several host keys shows the one we can check.
        var others = info.HostKeyAlgorithms.Keys.Where(a => KeyTypeOf(a) != _pin.KeyType).ToList();
        if (others.Count < info.HostKeyAlgorithms.Count)
            foreach (var algorithm in others)
                info.HostKeyAlgorithms.Remove(algorithm);
        return info;
    }

    private static string KeyTypeOf(string algorithm) => algorithm.StartsWith("rsa-sha2-", StringComparison.Ordinal) ? "ssh-rsa" : algorithm;

    private MachineUnreachableException Failed(MachineUnreachableException failure)
    {
        var first = _lastFailure is null;
        _backoff = TimeSpan.FromTicks(Math.Min(options.MaxReconnectBackoff.Ticks, Math.Max(TimeSpan.FromSeconds(1).Ticks, _backoff.Ticks * 2)));
        _nextAttempt = clock.GetUtcNow() + _backoff;
        _lastFailure = failure.Message;
        if (first || failure is HostKeyMismatchException)
            logger.LogWarning("{Failure} Retrying with backoff up to {MaxBackoff}.", failure.Message, options.MaxReconnectBackoff);
        return failure;
    }

    private MachineUnreachableException Lost(Exception e)
    {
        _ssh?.Dispose();
        _ssh = null;
        _sftp?.Dispose();
        _sftp = null;
        return Failed(new MachineUnreachableException(name, $"Machine {name} ({options.Host}:{options.Port}): connection lost: {e.Message}", e));
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is SshConnectionException or SshOperationTimeoutException or ObjectDisposedException or System.Net.Sockets.SocketException or SshException { InnerException: System.Net.Sockets.SocketException };

    public ValueTask DisposeAsync()
    {
        _ssh?.Dispose();
        _sftp?.Dispose();
        _connecting.Dispose();
        return ValueTask.CompletedTask;
    }
}
