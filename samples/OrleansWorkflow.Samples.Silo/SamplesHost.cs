using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Web;

namespace OrleansWorkflow.Samples.Silo;

/// <summary>
/// The samples' engine host: the fire + MesoNH and A -> B workflows, on the same calls every workflow host makes.
/// The engine's fault tests build the same host (this file is linked into their test host) with one step more.
/// </summary>
internal static class SamplesHost
{
    /// <summary>Builds the host; <paramref name="alsoOnEngine"/> is code of the program calling this, never configuration.</summary>
    public static WebApplication Build(string[] args, Action<IWorkflowBuilder>? alsoOnEngine = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("OWF_");
        builder.Services.AddOptions<FireSettings>().BindConfiguration("Fire");
        var engine = builder.AddOrleansWorkflow()
            .AddPostgreSqlStorage()
            .AddClusterMembership()
            .AddRabbitMq()
            .AddHpcMachines()
            .AddTelemetry()
            .AddWeb()
            .AddHandlersFrom(typeof(FireWorkflow).Assembly)
            .AddWorkflowVersions(FireWorkflow.Kind, newest: FireWorkflow.Version, oldest: 1)
            .OnDeadline(FireWorkflow.Kind, FireWorkflow.FireOverdue);
        alsoOnEngine?.Invoke(engine);

        var app = builder.Build();
        app.MapOrleansWorkflow();
        return app;
    }
}
