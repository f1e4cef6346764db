namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>Awaits a condition instead of sleeping a guessed time.</summary>
public static class Eventually
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Gave up waiting for {what ?? "the condition"}; last value: {value}");
            await Task.Delay(50);
        }
    }
}
