using System.Diagnostics;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// Ends programs a test started. <see cref="Process.Dispose()"/> only releases the handle: the program (and what it
/// started, such as `dotnet run`'s child) goes on running after the test.
/// </summary>
internal static class ProcessTree
{
    /// <summary>Kills <paramref name="process"/> and every process it started, unless it already exited.</summary>
    public static void Kill(Process process)
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
    }

    /// <summary>Kills the tree, then releases the handle.</summary>
    public static void End(Process process)
    {
        Kill(process);
        process.Dispose();
    }

    /// <summary>Ends <paramref name="process"/> when the result is disposed: <c>using var _ = ProcessTree.EndOnDispose(p);</c>.</summary>
    public static IDisposable EndOnDispose(Process process) => new Ending(process);

    private sealed class Ending(Process process) : IDisposable
    {
        public void Dispose() => End(process);
    }
}
