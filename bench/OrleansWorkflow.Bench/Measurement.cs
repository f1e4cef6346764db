using System.Diagnostics;

namespace OrleansWorkflow.Bench;

/// <summary>
/// One timed scenario run: how many messages, how long, and what it cost the processes, the database (commits; SQL
/// statements when the server tracks them) and the silo's grain calls.
/// </summary>
public sealed record Measurement(string Scenario, int Messages, TimeSpan Elapsed, TimeSpan Cpu, long Commits, long? Statements, GrainCalls Calls)
{
    public double MessagesPerSecond => Messages / Elapsed.TotalSeconds;
    public double CpuMsPerMessage => Cpu.TotalMilliseconds / Messages;
    public double CommitsPerMessage => (double)Commits / Messages;
    /// <summary>SQL statements per message; NaN when the server does not track statements (no pg_stat_statements).</summary>
    public double StatementsPerMessage => Statements is { } statements ? (double)statements / Messages : double.NaN;
    /// <summary>Awaited grain calls per message besides the delivery into the handler grain.</summary>
    public double AwaitedCallsPerMessage => (double)Calls.Awaited / Messages;
    public double OneWayCallsPerMessage => (double)Calls.OneWay / Messages;

    /// <summary>
    /// Times <paramref name="run"/>, with the CPU time of this process and the silo's, the bench database's commits
    /// and statements, and the silo's grain calls around it.
    /// </summary>
    public static async Task<Measurement> TakeAsync(string scenario, int messages, BenchEnvironment environment, BenchEngine engine, Func<Task> run)
    {
        var (commits, statements, calls) = (await environment.CommitsAsync(), await environment.StatementsAsync(), await engine.GrainCallsAsync());
        TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime + engine.SiloCpu;
        var cpu = Cpu();
        var clock = Stopwatch.StartNew();
        await run();
        var elapsed = clock.Elapsed;
        var used = Cpu() - cpu;
        var statementsAfter = await environment.StatementsAsync();
        return new Measurement(scenario, messages, elapsed, used, await environment.CommitsAsync() - commits,
            statementsAfter - statements, await engine.GrainCallsAsync() - calls);
    }
}
