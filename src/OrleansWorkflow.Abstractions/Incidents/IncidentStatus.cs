namespace OrleansWorkflow.Incidents;

/// <summary>Where an incident is in its life.</summary>
public enum IncidentStatus
{
    /// <summary>No incident was ever created under this IncidentID.</summary>
    None = 0,
    /// <summary>Created; no handler has run for it yet.</summary>
    Pending = 1,
    /// <summary>At least one handler has run for it.</summary>
    Active = 2,
    /// <summary>Finished: a handler or a client completed it.</summary>
    Completed = 3,
    /// <summary>Finished: cancelled with a reason; its running simulations were cancelled.</summary>
    Cancelled = 4,
    /// <summary>A handler failed past its retry limit. Messages are still handled; an operator decides.</summary>
    Error = 5,
}

/// <summary>Questions about an <see cref="IncidentStatus"/>.</summary>
public static class IncidentStatusExtensions
{
    /// <summary>Completed and Cancelled incidents take no more messages.</summary>
    public static bool IsFinished(this IncidentStatus status) =>
        status is IncidentStatus.Completed or IncidentStatus.Cancelled;

    /// <summary>Whether an incident was created (any status but None).</summary>
    public static bool Exists(this IncidentStatus status) => status != IncidentStatus.None;
}
