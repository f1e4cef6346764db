namespace OrleansWorkflow.Simulations.Machines;

/// <summary>When a machine was last polled, and why it could not be reached (null when it answered).</summary>
internal sealed record MachinePoll(DateTimeOffset At, string? Error);
