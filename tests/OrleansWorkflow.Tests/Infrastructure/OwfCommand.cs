using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>The owf command-line tool, as built with the tests, run as a child process against a test's silo.</summary>
public sealed class OwfCommand : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private OwfCommand(Process process) => _process = process;

    public static OwfCommand Start(SiloProcess silo, params string[] arguments)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var directory = Path.Combine(LoopbackHpc.RepositoryRoot, "client", "OrleansWorkflow.Cli", "bin", configuration, "net10.0");
        if (!File.Exists(Path.Combine(directory, "owf.dll")))
            throw new InvalidOperationException($"owf is not built in {directory}: build the solution (dotnet build OrleansWorkflow.sln -c {configuration}).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(directory, "owf.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["OWF_RabbitMQ__Uri"] = silo.BrokerUri;
        start.Environment["OWF_Cluster__GatewayPort"] = silo.GatewayPort.ToString();
        start.Environment["OWF_Cluster__ServiceId"] = silo.ServiceId;
        start.Environment["OWF_Cluster__ClusterId"] = silo.ServiceId;

        var command = new OwfCommand(Process.Start(start)!);
        command._process.OutputDataReceived += (_, e) => { if (e.Data is not null) command._output.Enqueue(e.Data); };
        command._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) command._errors.Enqueue(e.Data); };
        command._process.BeginOutputReadLine();
        command._process.BeginErrorReadLine();
        return command;
    }

    /// <summary>Runs owf to its end and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(SiloProcess silo, params string[] arguments)
    {
        using var command = Start(silo, arguments);
        var exitCode = await command.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, command.Output, command.Errors);
    }

    public IReadOnlyList<string> Lines => [.. _output];
    public string Output => string.Join('\n', _output);
    public string Errors => string.Join('\n', _errors);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"owf still runs after {timeout}; its output:\n{Output}\n{Errors}");
        }
        _process.WaitForExit(); // the last lines of output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
