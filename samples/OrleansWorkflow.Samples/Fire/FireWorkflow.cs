using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Samples.Fire;

/// <summary>
/// The forest fire + MesoNH workflow of the original: terrain, hotspot and the weather chain each feed
/// fire_simulation, which runs the simulation once all three have reported; fire_results completes the incident.
/// </summary>
public static class FireWorkflow
{
    public const string FireTerrain = "fire_terrain";
    public const string FireHotspot = "fire_hotspot";
    public const string WeatherData = "weather_data";
    public const string WeatherSimulation = "weather_simulation";
    public const string WeatherResults = "weather_results";
    public const string FireSimulation = "fire_simulation";
    public const string FireResults = "fire_results";

    /// <summary>The queues a fire incident starts on.</summary>
    public static readonly string[] Entry = [FireTerrain, FireHotspot, WeatherData];

    public static HandlerRegistry AddFireWorkflow(this HandlerRegistry handlers) =>
        handlers.RegisterHandler<IFireTerrainHandler>(FireTerrain)
                .RegisterHandler<IFireHotspotHandler>(FireHotspot)
                .RegisterHandler<IWeatherDataHandler>(WeatherData)
                .RegisterHandler<IWeatherSimulationHandler>(WeatherSimulation)
                .RegisterHandler<IWeatherResultsHandler>(WeatherResults)
                .RegisterHandler<IFireSimulationHandler>(FireSimulation)
                .RegisterHandler<IFireResultsHandler>(FireResults);
}
