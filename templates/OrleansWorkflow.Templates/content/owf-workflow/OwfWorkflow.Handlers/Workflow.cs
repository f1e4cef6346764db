namespace OwfWorkflow.Handlers;

/// <summary>
/// The workflow's queues: a report arrives on "report", is assessed on "assessment", and the assessment completes
/// the incident. Add a queue: a constant here, an interface with [HandlesQueue] and a handler class.
/// </summary>
public static class Workflow
{
    public const string Report = "report";
    public const string Assessment = "assessment";

    /// <summary>The kind of incident this workflow runs.</summary>
    public const string Kind = "OwfWorkflow";
}
