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
