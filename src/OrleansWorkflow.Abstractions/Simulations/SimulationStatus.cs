namespace OrleansWorkflow.Simulations;

/// <summary>Where an HPC job is, as its scheduler last told us (or as we concluded when it stopped answering).</summary>
public enum SimulationStatus
{
    /// <summary>Recorded; not yet accepted by the machine's scheduler.</summary>
    Requested = 0,
    /// <summary>Accepted by the scheduler, waiting for resources (Slurm PENDING, PBS Q/H).</summary>
    Queued = 1,
    /// <summary>Running on the machine's nodes.</summary>
    Running = 2,
    /// <summary>Ended with exit code 0.</summary>
    Completed = 3,
    /// <summary>Ended with a non-zero exit code, or the scheduler failed it (node failure, out of memory).</summary>
    Failed = 4,
    /// <summary>Killed for running past its time limit.</summary>
    Timeout = 5,
    /// <summary>Cancelled (by its incident's cancellation, or on the machine).</summary>
    Cancelled = 6,
    /// <summary>The scheduler stopped answering for the job for longer than the machine's LostAfter; its end is unknown.</summary>
    Lost = 7,
}

/// <summary>Questions about a <see cref="SimulationStatus"/>.</summary>
public static class SimulationStatusExtensions
{
    /// <summary>Whether the job has ended, one way or another.</summary>
    public static bool IsFinished(this SimulationStatus status) => status >= SimulationStatus.Completed;

    /// <summary>The status as it appears in the message sent to the workflow ("COMPLETED", "FAILED", ...).</summary>
    public static string ToWire(this SimulationStatus status) => status.ToString().ToUpperInvariant();
}
