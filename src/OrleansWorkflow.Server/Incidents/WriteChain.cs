namespace OrleansWorkflow.Incidents;

/// <summary>
/// Group commit for one grain's state: one write at a time; a caller joins the write that has not started yet, or
/// queues one after the running write, so every change made before the call is stored when its task completes, and
/// changes made together share a write.
/// </summary>
internal sealed class WriteChain(Func<Task> write)
{
    private Task _last = Task.CompletedTask;
    private Task? _next;

    public Task WriteAsync()
    {
        if (_next is { } queued)
            return queued;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _last;
        _next = _last = done.Task;
        _ = WriteAfterAsync(running, done);
        return done.Task;
    }

    private async Task WriteAfterAsync(Task running, TaskCompletionSource done)
    {
        try
        {
            await running;
        }
        catch
        {
            // that write's callers were told; this one stores their changes again
        }
        _next = null; // changes from here on need the write after this one
        try
        {
            await write();
            done.SetResult();
        }
        catch (Exception e)
        {
            done.SetException(e);
        }
    }
}
