using System.Diagnostics;

namespace OrleansWorkflow.Bench;

/// <summary>One timed scenario run: how many messages, how long, and what it cost the process and the database.</summary>
public sealed record Measurement(string Scenario, int Messages, TimeSpan Elapsed, TimeSpan Cpu, long Commits)
{
    public double MessagesPerSecond => Messages / Elapsed.TotalSeconds;
    public double CpuMsPerMessage => Cpu.TotalMilliseconds / Messages;
    public double CommitsPerMessage => (double)Commits / Messages;

    /// <summary>
    /// Times <paramref name="run"/>, with the CPU time of this process and the silo's (<paramref name="siloCpu"/>) and
    /// the bench database's commits around it.
    /// </summary>
    public static async Task<Measurement> TakeAsync(string scenario, int messages, BenchEnvironment environment, Func<TimeSpan> siloCpu, Func<Task> run)
    {
        var commits = await environment.CommitsAsync();
        TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime + siloCpu();
        var cpu = Cpu();
        var clock = Stopwatch.StartNew();
        await run();
        var elapsed = clock.Elapsed;
        var used = Cpu() - cpu;
        return new Measurement(scenario, messages, elapsed, used, await environment.CommitsAsync() - commits);
    }
}
