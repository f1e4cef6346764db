namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>Awaits a condition instead of sleeping a guessed time.</summary>
public static class Eventually
{
    public static Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null) =>
        UntilAsync(probe, done, timeout ?? TimeSpan.FromSeconds(30), what, uncounted: () => TimeSpan.Zero);

    /// <summary>
    /// Awaits a condition for <paramref name="timeout"/>, not counting the time <paramref name="uncounted"/> grows by
    /// meanwhile (a running total of time in which the condition cannot progress, such as a shared service's outage).
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string? what, Func<TimeSpan> uncounted)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var uncountedBefore = uncounted();
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            var excused = uncounted() - uncountedBefore;
            if (waited.Elapsed - excused > timeout)
            {
                var excuse = excused > TimeSpan.Zero ? $" ({excused.TotalSeconds:0} s more were not counted)" : "";
                throw new TimeoutException($"Gave up waiting for {what ?? "the condition"} after {timeout.TotalSeconds:0.#} s{excuse}; last value: {Describe(value)}");
            }
            await Task.Delay(50);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        string text => text,
        System.Collections.IEnumerable items => $"[{string.Join(", ", items.Cast<object?>())}]",
        _ => $"{value}",
    };
}
