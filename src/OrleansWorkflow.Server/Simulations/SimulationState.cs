namespace OrleansWorkflow.Simulations;

/// <summary>What a simulation grain keeps: the request, what is known of the job, and whether the workflow was told of its end.</summary>
[GenerateSerializer]
internal sealed class SimulationState
{
    [Id(0)] public SimulationRequest? Request { get; set; }
    [Id(1)] public SimulationInfo Info { get; set; } = new();
    /// <summary>The end message was published (or deliberately not, for a finished incident).</summary>
    [Id(2)] public bool Notified { get; set; }
    /// <summary>When the scheduler last answered for the job (as last stored).</summary>
    [Id(3)] public DateTimeOffset LastAnsweredAt { get; set; }
    [Id(4)] public string? CancelReason { get; set; }
    /// <summary>
    /// The first poll, since the last answer, that got none: the clock for Lost. Time no poll ran (all silos away)
    /// is no silence of the scheduler's.
    /// </summary>
    [Id(5)] public DateTimeOffset? FirstUnansweredAt { get; set; }

    /// <summary>The transitions (Queued, Running) the notify queue was told of, as NotifyOn asked.</summary>
    [Id(6)] public HashSet<SimulationStatus> Told { get; set; } = [];

    /// <summary>The FirstToStart race this job is a candidate of: only the race's winner speaks to the workflow, under the race's id.</summary>
    [Id(7)] public Guid? RaceId { get; set; }

    /// <summary>The ensemble this job is a member of: it reports every transition to it, and tells the workflow itself only when the ensemble says so.</summary>
    [Id(8)] public EnsembleMembership? Ensemble { get; set; }

    /// <summary>A new simulation's state, as <see cref="ISimulationGrain.Create"/> records it: requested, not submitted yet.</summary>
    public static SimulationState Requested(Guid simulationId, Guid incidentId, SimulationRequest request, Guid? raceId, EnsembleMembership? ensemble,
        string workingDirectory, Incidents.IncidentUrgency urgency, DateTimeOffset now) => new()
    {
        Request = request,
        RaceId = raceId,
        Ensemble = ensemble,
        LastAnsweredAt = now,
        Info = new SimulationInfo
        {
            SimulationId = simulationId,
            IncidentId = incidentId,
            Machine = request.Machine,
            Status = SimulationStatus.Requested,
            WorkingDirectory = workingDirectory,
            NotifyQueue = request.NotifyQueue,
            CreatedAt = now,
            Urgency = urgency,
        },
    };
}
