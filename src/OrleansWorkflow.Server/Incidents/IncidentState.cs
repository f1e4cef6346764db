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

    /// <summary>A new incident's state, as <see cref="IIncidentGrain.Create"/> stores it.</summary>
    public static IncidentState Created(string name, string kind, DateTimeOffset incidentDate, IncidentTerms? terms, int workflowVersion, DateTimeOffset now) => new()
    {
        Name = name,
        Kind = kind,
        IncidentDate = incidentDate,
        Status = IncidentStatus.Pending,
        CreatedAt = now,
        UpdatedAt = now,
        Deadline = terms?.Deadline,
        Urgency = terms?.Urgency ?? IncidentUrgency.Routine,
        WorkflowVersion = workflowVersion,
        HasTimers = terms?.Deadline is not null,
    };

    /// <summary>Takes a join's latest report (its handler's journal holds the truth).</summary>
    public void Report(JoinInfo join) => Replace(Joins, join, j => j.Queue == join.Queue && j.Name == join.Name);

    /// <summary>Takes a simulation's latest report (its simulation grain holds the truth).</summary>
    public void Report(SimulationInfo simulation) => Replace(Simulations, simulation, s => s.SimulationId == simulation.SimulationId);

    private static void Replace<T>(List<T> reports, T report, Predicate<T> same)
    {
        var known = reports.FindIndex(same);
        if (known < 0)
            reports.Add(report);
        else
            reports[known] = report;
    }

    /// <summary>What clients see of the incident.</summary>
    public IncidentInfo Info(Guid incidentId) => new(incidentId, Name, Kind, IncidentDate, Status, CreatedAt, UpdatedAt, Reason, Deadline,
        OverdueSince, Urgency, Workflow.Version);
}
