namespace OrleansWorkflow.Hosting;

/// <summary>Names of the engine's grain storage and of the states kept in it.</summary>
internal static class WorkflowStorage
{
    /// <summary>The ADO.NET grain storage provider that holds incidents and handler state.</summary>
    public const string Name = "workflow";

    // Distinct state names keep incident and handler rows apart even where grain keys coincide.
    public const string IncidentState = "incident";
    public const string HandlerState = "handler";
    public const string SimulationState = "simulation";
    public const string MachinePollerState = "machine-poller";
    public const string SimulationRaceState = "simulation-race";
    public const string EnsembleState = "ensemble";
    public const string IncidentDataState = "incident-data";
    public const string MachineRegistryState = "machine-registry";
    public const string RedeliveryState = "redelivery";
    public const string IncidentTimersState = "incident-timers";
    public const string ScheduleState = "schedule";
    public const string AccessKeysState = "access-keys";
    public const string WebKeyRingState = "web-key-ring";
}
