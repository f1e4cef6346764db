namespace OrleansWorkflow.Hosting;

/// <summary>
/// The clock of workflow time: when steps start and end, when sends for later and deadlines are due, when jobs were
/// submitted. It is the host's <see cref="TimeProvider"/> unless a host gives one under <see cref="Key"/> (a test
/// host's fake clock), which then moves workflow time alone and leaves Orleans' own clock alone.
/// </summary>
internal static class WorkflowClock
{
    /// <summary>The service key of the workflow clock.</summary>
    public const string Key = "OrleansWorkflow.WorkflowClock";
}
