namespace OrleansWorkflow.Bench;

public static class Concurrently
{
    /// <summary>Runs <paramref name="body"/> for 0..count-1 with at most <paramref name="concurrency"/> at once; results in index order.</summary>
    public static async Task<T[]> RunAsync<T>(int count, Func<int, Task<T>> body, int concurrency = 64)
    {
        var results = new T[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (i, _) => results[i] = await body(i));
        return results;
    }
}
