using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;
using OrleansWorkflow.Client;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Web.Api;
using OrleansWorkflow.Web.Live;
using OrleansWorkflow.Web.Pages;

namespace OrleansWorkflow.Web;

public static class WorkflowWebExtensions
{
    /// <summary>The services of the web view: a workflow client on this silo (originator "web"), JSON with enum names.</summary>
    public static WebApplicationBuilder AddWorkflowWeb(this WebApplicationBuilder builder, WebOptions options)
    {
        options.Validate();
        builder.WebHost.UseUrls(options.Url);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new WorkflowClient(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<QueuePublisher>(), "web"));
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return builder;
    }

    /// <summary>The Orleans dashboard's silo side, when the web view shows it.</summary>
    public static ISiloBuilder AddWorkflowDashboard(this ISiloBuilder silo, WebOptions options) =>
        options.Enabled && options.Dashboard ? silo.AddDashboard() : silo;

    public static WebApplication MapWorkflowWeb(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<WebOptions>();
        app.MapIncidentApi();
        app.MapIncidentEvents();
        app.MapIncidentPages();
        if (options.Dashboard)
            app.MapOrleansDashboard(routePrefix: "/dashboard");
        app.MapGet("/", () => Results.Redirect("/incidents"));
        return app;
    }
}
