using System.Diagnostics;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// The real broker and database the tests run against, as ./test.sh started them
/// (scripts/services.sh up). Each fixture gets its own database and RabbitMQ virtual host on them.
/// </summary>
public static class TestServices
{
    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("OWF_TEST_POSTGRES_ADMIN") ?? "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    /// <summary>How long a command a test runs (rabbitmqctl, psql, su, services.sh, scontrol…) may take unless the caller says otherwise.</summary>
    public static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(3);

    /// <summary>Runs a command to its end within <see cref="CommandLimit"/> and returns its output; throws, naming it, when it fails or runs too long.</summary>
    public static Task<string> RunAsync(string program, params string[] arguments) => RunWithinAsync(CommandLimit, program, arguments);

    /// <summary>Runs a command to its end within <paramref name="limit"/>; past it the command (and what it started) is killed, and the error names it.</summary>
    public static async Task<string> RunWithinAsync(TimeSpan limit, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(limit))
        {
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                ProcessTree.Kill(process);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} still ran after {limit.TotalSeconds:0} s and was killed");
            }
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        return await output;
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback port nothing listens on, never one this test run handed out before: the kernel gives a port it
    /// just closed again, and two of them could become one silo's silo and gateway ports.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
                if (HandedOut.Add(port))
                    return port;
        }
    }
}
