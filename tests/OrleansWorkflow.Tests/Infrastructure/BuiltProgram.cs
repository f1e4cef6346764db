using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>A program of this repository (owf-silo, owf-samples-silo, owf) as built with the tests, run as a child process whose output is kept.</summary>
public static class BuiltProgram
{
    /// <summary>A program: its project folder under the repository and the assembly it builds.</summary>
    public sealed record Location(string Project, string Dll);

    public static ProcessStartInfo StartInfo(Location program) => StartInfo(program.Project, program.Dll);

    /// <summary>How to start <paramref name="dll"/> of <paramref name="project"/> (a folder under the repository), built in the tests' configuration.</summary>
    public static ProcessStartInfo StartInfo(string project, string dll)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var directory = Path.Combine(LoopbackHpc.RepositoryRoot, project, "bin", configuration, "net10.0");
        if (!File.Exists(Path.Combine(directory, dll)))
            throw new InvalidOperationException($"{Path.GetFileNameWithoutExtension(dll)} is not built in {directory}: build the solution (dotnet build OrleansWorkflow.sln -c {configuration}).");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        return start;
    }

    /// <summary>Starts it, keeping each line it writes to standard output and standard error.</summary>
    public static Process Start(ProcessStartInfo start, ConcurrentQueue<string> output, ConcurrentQueue<string> errors)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {string.Join(' ', start.ArgumentList)}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) errors.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits for the process to end by itself; throws with <paramref name="describe"/>'s account of it after <paramref name="timeout"/>.</summary>
    public static async Task WaitForExitAsync(Process process, TimeSpan timeout, Func<string> describe)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{describe()} still runs after {timeout}");
        }
        process.WaitForExit(); // the last lines of output
    }
}
