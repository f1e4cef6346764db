using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Incidents;

[GenerateSerializer]
internal sealed class IncidentState
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public string Kind { get; set; } = "";
    [Id(2)] public DateTimeOffset IncidentDate { get; set; }
    [Id(3)] public IncidentStatus Status { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(6)] public string? Reason { get; set; }
    [Id(7)] public List<IncidentStep> Steps { get; set; } = [];
    [Id(8)] public List<SimulationInfo> Simulations { get; set; } = [];
    [Id(9)] public List<DeadLetterRecord> DeadLetters { get; set; } = [];

    /// <summary>When the working data of the finished incident was purged (Workflow:Retention, owf purge); null while kept.</summary>
    [Id(10)] public DateTimeOffset? PurgedAt { get; set; }

    /// <summary>The incident's timers (sends for later, its deadline) may hold something: they are stopped when it finishes.</summary>
    [Id(11)] public bool HasTimers { get; set; }

    [Id(12)] public DateTimeOffset? Deadline { get; set; }

    /// <summary>When its deadline was found passed while it was unfinished.</summary>
    [Id(13)] public DateTimeOffset? OverdueSince { get; set; }

    /// <summary>The joins of its handlers, as they last reported them (the handlers' journals hold the truth).</summary>
    [Id(14)] public List<JoinInfo> Joins { get; set; } = [];

    [Id(15)] public IncidentUrgency Urgency { get; set; }

    /// <summary>The version of its kind it was created with; 0 in the rows of incidents created before versions were recorded (version 1).</summary>
    [Id(16)] public int WorkflowVersion { get; set; }

    /// <summary>Its workflow: its kind at its version.</summary>
    public IncidentWorkflow Workflow => new(Kind, Math.Max(WorkflowVersions.First, WorkflowVersion));
}
