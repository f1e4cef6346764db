namespace OrleansWorkflow.Samples.Fire;

/// <summary>
/// The forest fire + MesoNH workflow of the original: terrain, hotspot and the weather chain each feed
/// fire_simulation, which runs the simulation once all three have reported; fire_results completes the incident.
/// With "remote": true in the messages, fire_simulation hands over to fire_submit_job, which runs the simulation
/// as a job on an HPC machine; remote_fire_results gets the job's end, reads its output and completes the incident.
/// Its handler interfaces carry [HandlesQueue]: a host registers them all with AddHandlersFrom(typeof(FireWorkflow).Assembly).
/// </summary>
public static class FireWorkflow
{
    /// <summary>The incident kind of fire incidents.</summary>
    public const string Kind = "FIRE";

    /// <summary>
    /// The newest version of the fire workflow (the host declares it: AddWorkflowVersions(Kind, Version)). Version 1 is
    /// every fire incident begun before versions were recorded: up to 4c191bb fire_simulation kept its inputs as Persist
    /// documents, later in context.Join. Version 2 began with versions, on context.Join alone.
    /// </summary>
    public const int Version = 2;

    public const string FireTerrain = "fire_terrain";
    public const string FireHotspot = "fire_hotspot";
    public const string WeatherData = "weather_data";
    public const string WeatherSimulation = "weather_simulation";
    public const string WeatherResults = "weather_results";
    public const string FireSimulation = "fire_simulation";
    public const string FireResults = "fire_results";
    public const string FireSubmitJob = "fire_submit_job";
    public const string RemoteFireResults = "remote_fire_results";

    /// <summary>Watches a fire: a message with "after_s" comes back to it that many seconds later (SendAfter), as a check.</summary>
    public const string FireWatch = "fire_watch";

    /// <summary>Hears of a fire incident that passed its deadline unfinished (the host registers it with OnDeadline(Kind, FireOverdue)).</summary>
    public const string FireOverdue = "fire_overdue";

    /// <summary>The fire simulation's join of its three inputs.</summary>
    public const string FireInputs = "fire_inputs";

    /// <summary>The queues a fire incident starts on.</summary>
    public static readonly string[] Entry = [FireTerrain, FireHotspot, WeatherData];
}
