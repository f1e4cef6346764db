using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// A data provider on loopback: serves the files of one directory over HTTP, streamed from disk, and records who asked
/// for what (path and User-Agent), so a test can tell which program fetched a file.
/// </summary>
public sealed class LocalFileServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _directory;
    private readonly Task _serving;

    public LocalFileServer(string directory)
    {
        _directory = directory;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Every request so far: its path and its User-Agent.</summary>
    public ConcurrentQueue<(string Path, string UserAgent)> Requests { get; } = new();

    public Uri UrlOf(string file) => new($"http://127.0.0.1:{Port}/{file}");

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath.TrimStart('/');
        Requests.Enqueue((path, context.Request.UserAgent ?? ""));
        var file = Path.Combine(_directory, Path.GetFileName(path));
        try
        {
            if (!File.Exists(file))
            {
                context.Response.StatusCode = 404;
                return;
            }
            await using var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            context.Response.ContentLength64 = content.Length;
            await content.CopyToAsync(context.Response.OutputStream);
        }
        catch (HttpListenerException)
        {
            // the client went away
        }
        finally
        {
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

/// <summary>A data provider serving one file of random bytes on loopback; disposing it stops the server and deletes the file.</summary>
public sealed class DataProvider : IAsyncDisposable
{
    private readonly string _directory;

    private DataProvider(string directory, string file, string sha256)
    {
        _directory = directory;
        Server = new LocalFileServer(directory);
        Url = Server.UrlOf(file);
        Sha256 = sha256;
    }

    public LocalFileServer Server { get; }
    public Uri Url { get; }
    /// <summary>The file's SHA-256 (lower-case hex).</summary>
    public string Sha256 { get; }

    /// <summary>Serves <paramref name="size"/> random bytes as <paramref name="file"/>, written a MiB at a time.</summary>
    public static async Task<DataProvider> WithRandomFileAsync(string file, long size)
    {
        var directory = Directory.CreateTempSubdirectory("owf-data-provider-").FullName;
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var chunk = new byte[1024 * 1024];
        await using (var written = File.Create(Path.Combine(directory, file)))
            for (long at = 0; at < size; at += chunk.Length)
            {
                var part = chunk.AsMemory(0, (int)Math.Min(chunk.Length, size - at));
                System.Security.Cryptography.RandomNumberGenerator.Fill(part.Span);
                sha.AppendData(part.Span);
                await written.WriteAsync(part);
            }
        return new DataProvider(directory, file, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
