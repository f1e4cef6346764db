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

    /// <summary>Starts owf as an operator on the silo's machine: without OWF_API_KEY it names itself with the silo's admin key file.</summary>
    public static OwfCommand Start(SiloProcess silo, params string[] arguments) => Start(silo, apiKey: null, arguments);

    /// <summary>Starts owf with OWF_API_KEY set to <paramref name="apiKey"/> (null: none; "": none, and no admin key file either).</summary>
    public static OwfCommand Start(SiloProcess silo, string? apiKey, string[] arguments)
    {
        var start = BuiltProgram.StartInfo(Path.Combine("client", "OrleansWorkflow.Cli"), "owf.dll");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["OWF_RabbitMQ__Uri"] = silo.BrokerUri;
        for (var i = 0; i < silo.BrokerHosts.Count; i++)
            start.Environment[$"OWF_RabbitMQ__Hosts__{i}"] = silo.BrokerHosts[i];
        start.Environment["OWF_Cluster__GatewayPort"] = silo.GatewayPort.ToString();
        start.Environment["OWF_Cluster__ServiceId"] = silo.ServiceId;
        start.Environment["OWF_Cluster__ClusterId"] = silo.ServiceId;
        start.Environment["OWF_Web__AdminKeyFile"] = apiKey == "" ? "/nonexistent/admin-key" : silo.AdminKeyFile;
        if (!string.IsNullOrEmpty(apiKey))
            start.Environment["OWF_API_KEY"] = apiKey;

        var output = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        return new OwfCommand(BuiltProgram.Start(start, output, errors), output, errors);
    }

    /// <summary>Runs owf to its end and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(SiloProcess silo, params string[] arguments) =>
        RunAsAsync(silo, apiKey: null, arguments);

    /// <summary>Runs owf to its end as the holder of <paramref name="apiKey"/> (see <see cref="Start(SiloProcess, string?, string[])"/>).</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsAsync(SiloProcess silo, string? apiKey, params string[] arguments)
    {
        using var command = Start(silo, apiKey, arguments);
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
