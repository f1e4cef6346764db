namespace OrleansWorkflow.Simulations;

/// <summary>Which of a job's transitions its notify queue hears of (<see cref="SimulationRequest.NotifyOn"/>), each once.</summary>
[Flags]
public enum SimulationNotices
{
    /// <summary>The scheduler accepted the job (it waits for resources): a message with status QUEUED.</summary>
    Queued = 1,
    /// <summary>A poll saw the job running: a message with status RUNNING (a job that ended between two polls has none).</summary>
    Running = 2,
    /// <summary>The job ended: the message with its end status. Always told.</summary>
    End = 4,
}
