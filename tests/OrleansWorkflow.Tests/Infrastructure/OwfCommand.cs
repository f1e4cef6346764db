using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>The owf command-line tool, as built with the tests, run as a child process against a test's silo.</summary>
public sealed class OwfCommand : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private readonly ConcurrentQueue<string> _errors;

    private OwfCommand(Process process, ConcurrentQueue<string> output, ConcurrentQueue<string> errors)
    {
        _process = process;
        _output = output;
        _errors = errors;
    }

    public static OwfCommand Start(SiloProcess silo, params string[] arguments)
    {
        var start = BuiltProgram.StartInfo(Path.Combine("client", "OrleansWorkflow.Cli"), "owf.dll");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["OWF_RabbitMQ__Uri"] = silo.BrokerUri;
        start.Environment["OWF_Cluster__GatewayPort"] = silo.GatewayPort.ToString();
        start.Environment["OWF_Cluster__ServiceId"] = silo.ServiceId;
        start.Environment["OWF_Cluster__ClusterId"] = silo.ServiceId;

        var output = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        return new OwfCommand(BuiltProgram.Start(start, output, errors), output, errors);
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
        await BuiltProgram.WaitForExitAsync(_process, timeout, () => $"owf, whose output is:\n{Output}\n{Errors}\n,");
        return _process.ExitCode;
    }

    public void Dispose() => ProcessTree.End(_process);
}
