using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Samples.Fire;

// The MesoNH weather chain: forecast data -> MesoNH simulation -> reduced results for the fire simulation.

[HandlesQueue(FireWorkflow.WeatherData)] public interface IWeatherDataHandler : IWorkflowHandler;
[HandlesQueue(FireWorkflow.WeatherSimulation)] public interface IWeatherSimulationHandler : IWorkflowHandler;
[HandlesQueue(FireWorkflow.WeatherResults)] public interface IWeatherResultsHandler : IWorkflowHandler;

public sealed class WeatherDataHandler : RelayHandler, IWeatherDataHandler
{
    protected override string Greeting => "In weather data handler";
    protected override string Next => FireWorkflow.WeatherSimulation;
}

public sealed class WeatherSimulationHandler : RelayHandler, IWeatherSimulationHandler
{
    protected override string Greeting => "In weather simulation handler";
    protected override string Next => FireWorkflow.WeatherResults;
}

public sealed class WeatherResultsHandler : RelayHandler, IWeatherResultsHandler
{
    protected override string Greeting => "In weather results handler";
    protected override string Next => FireWorkflow.FireSimulation;
}
