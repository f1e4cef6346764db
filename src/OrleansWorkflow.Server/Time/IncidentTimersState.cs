namespace OrleansWorkflow.Time;

[GenerateSerializer]
internal sealed class IncidentTimersState
{
    /// <summary>Sends not yet due.</summary>
    [Id(0)] public List<ScheduledSend> Pending { get; set; } = [];

    /// <summary>Message ids of the sends published already: a repeated schedule of one (a handler's effects carried out again) is ignored.</summary>
    [Id(1)] public HashSet<string> Sent { get; set; } = [];

    /// <summary>The incident's deadline while the incident has not been told it passed.</summary>
    [Id(2)] public DateTimeOffset? Deadline { get; set; }

    /// <summary>The incident finished: nothing is kept or sent any more.</summary>
    [Id(3)] public bool Stopped { get; set; }
}
