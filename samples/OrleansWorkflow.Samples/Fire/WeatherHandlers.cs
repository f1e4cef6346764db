using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Samples.Fire;

// The MesoNH weather chain: forecast data -> MesoNH simulation -> reduced results for the fire simulation.

public interface IWeatherDataHandler : IWorkflowHandler;
public interface IWeatherSimulationHandler : IWorkflowHandler;
public interface IWeatherResultsHandler : IWorkflowHandler;

public sealed class WeatherDataHandler : SampleHandler, IWeatherDataHandler
{
    protected override async Task RunAsync(JsonObject message, IHandlerContext context)
    {
        Say("In weather data handler");
        await WorkAsync(context);
        context.Send(FireWorkflow.WeatherSimulation, message);
    }
}

public sealed class WeatherSimulationHandler : SampleHandler, IWeatherSimulationHandler
{
    protected override async Task RunAsync(JsonObject message, IHandlerContext context)
    {
        Say("In weather simulation handler");
        await WorkAsync(context);
        context.Send(FireWorkflow.WeatherResults, message);
    }
}

public sealed class WeatherResultsHandler : SampleHandler, IWeatherResultsHandler
{
    protected override async Task RunAsync(JsonObject message, IHandlerContext context)
    {
        Say("In weather results handler");
        await WorkAsync(context);
        context.Send(FireWorkflow.FireSimulation, message);
    }
}
