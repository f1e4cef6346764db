using System.Diagnostics;
using OrleansWorkflow.Client;
using OrleansWorkflow.Messaging;

namespace OrleansWorkflow.Bench;

/// <summary>The bench's engine: a <see cref="BenchSilo"/> process, and a client connected to its gateway as users' apps are.</summary>
public sealed class BenchEngine : IAsyncDisposable
{
    private readonly Process _silo;

    private BenchEngine(Process silo, WorkflowClient client)
    {
        _silo = silo;
        Client = client;
    }

    public WorkflowClient Client { get; }

    /// <summary>The silo process's CPU time so far.</summary>
    public TimeSpan SiloCpu
    {
        get
        {
            _silo.Refresh();
            return _silo.TotalProcessorTime;
        }
    }

    /// <summary>The silo process's peak resident set (VmHWM) so far, in MB.</summary>
    public double SiloPeakMegabytes =>
        File.ReadLines($"/proc/{_silo.Id}/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0).Single();

    public static async Task<BenchEngine> StartAsync(BenchEnvironment environment, RabbitMqOptions broker, BenchOptions options)
    {
        var gatewayPort = BenchSilo.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(BenchSilo).Assembly.Location);
        foreach (var argument in BenchSilo.Arguments(gatewayPort, broker, options))
            start.ArgumentList.Add(argument);
        var silo = Process.Start(start) ?? throw new InvalidOperationException("Could not start the bench silo process.");
        while (await silo.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == BenchSilo.Ready)
                break;
            Console.WriteLine(line);
        }
        if (silo.HasExited)
            throw new InvalidOperationException($"The bench silo exited with code {silo.ExitCode} before it was ready; its output is above.");
        var client = await WorkflowClient.ConnectAsync(new WorkflowClientOptions
        {
            GatewayPort = gatewayPort, ServiceId = BenchEnvironment.Name, ClusterId = BenchEnvironment.Name,
            RabbitMq = new RabbitMqOptions { Uri = environment.BrokerUri },
        });
        var engine = new BenchEngine(silo, client);
        _ = engine.ForwardAsync(silo.StandardOutput);
        return engine;
    }

    private TaskCompletionSource<GrainCalls>? _calls;

    /// <summary>The grain calls the silo made so far (asked through its standard input, answered on its output).</summary>
    public async Task<GrainCalls> GrainCallsAsync()
    {
        var answer = new TaskCompletionSource<GrainCalls>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls = answer;
        await _silo.StandardInput.WriteLineAsync(GrainCallCounter.Request);
        await _silo.StandardInput.FlushAsync();
        return await answer.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task ForwardAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(GrainCallCounter.Prefix, StringComparison.Ordinal))
                _calls?.TrySetResult(GrainCallCounter.Parse(line));
            else
                Console.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        _silo.StandardInput.Close();
        if (!_silo.WaitForExit(TimeSpan.FromSeconds(30)))
            _silo.Kill(entireProcessTree: true);
        _silo.Dispose();
    }
}
