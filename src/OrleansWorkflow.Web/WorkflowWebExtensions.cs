using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using OrleansWorkflow.Client;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Web.Api;
using OrleansWorkflow.Web.Health;
using OrleansWorkflow.Web.Live;
using OrleansWorkflow.Web.Pages;
using OrleansWorkflow.Web.Security;

namespace OrleansWorkflow.Web;

/// <summary>Adds and maps the operators' web view of an engine.</summary>
public static class WorkflowWebExtensions
{
    /// <summary>
    /// The operators' web view of this silo (configuration section "Web"): incident pages with live updates, the HTTP
    /// JSON API, the Orleans dashboard (unless Web:Dashboard is false) and the health endpoints. Map it with
    /// <see cref="MapOrleansWorkflow"/>.
    /// </summary>
    /// <param name="workflow">The engine being built.</param>
    /// <param name="configure">Settings given in code, applied after the configuration section.</param>
    public static IWorkflowBuilder AddWeb(this IWorkflowBuilder workflow, Action<WebOptions>? configure = null)
    {
        workflow.AddSettings<WebOptions>(WebOptions.Section, configure);
        var web = workflow.Peek<WebOptions>(WebOptions.Section);
        if (web.Dashboard)
            workflow.Silo.AddDashboard();
        var services = workflow.Services;
        services.AddSingleton(new WebMapping(web.Dashboard));
        services.AddSingleton(sp => new WorkflowClient(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<IMessagePublisher>(), "web", owned: null));
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddSingleton<GraphDrawings>();
        services.AddSingleton<EventStreamLimits>();
        services.AddSingleton(DeadLetterApi.Create);
        // The HTTP API described by ASP.NET Core's own generator, at /openapi/v1.json (viewers and above).
        services.AddOpenApi(openApi => openApi.ShouldInclude = endpoint => endpoint.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true);
        services.AddWebSecurity(workflow.Configuration, workflow.Peek<WorkflowOptions>(WorkflowOptions.Section).MaxBodyBytes, web.Jwt);
        return workflow;
    }

    /// <summary>
    /// Maps the web view: /incidents, /api, /dashboard, /signin, /healthz (alive) and /readyz (broker, database, cluster,
    /// machines). Every route but sign-in, the pages' scripts and the health probes needs an API key or a signed-in
    /// session; the host's pipeline must authenticate and authorize (WebApplication does so by itself).
    /// </summary>
    public static IEndpointRouteBuilder MapOrleansWorkflow(this IEndpointRouteBuilder app)
    {
        // What was decided while the host was built: the options themselves are checked when the host starts.
        var mapping = app.ServiceProvider.GetRequiredService<WebMapping>();
        app.MapSignIn();
        app.MapIncidentApi();
        app.MapIncidentEvents();
        app.MapDeadLetterApi();
        app.MapMachineApi();
        app.MapKeyApi();
        app.MapOpenApi();
        app.MapIncidentPages();
        app.MapWorkflowHealth();
        if (mapping.Dashboard)
            app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(AccessRole.Viewer.Name());
        app.MapGet("/", () => Results.Redirect("/incidents")).AllowAnonymous();
        TellAddressesWhenStarted(app.ServiceProvider);
        return app;
    }

    private static void TellAddressesWhenStarted(IServiceProvider services)
    {
        var server = services.GetRequiredService<IServer>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansWorkflow.Web");
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
        {
            foreach (var url in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
                logger.LogInformation("Incident pages on {Url}/incidents, the dashboard on {Url}/dashboard/, the HTTP API on {Url}/api/incidents, health on {Url}/healthz and {Url}/readyz", url, url, url, url, url);
        });
    }
}

/// <summary>What <see cref="WorkflowWebExtensions.MapOrleansWorkflow"/> maps, as decided when the host was built.</summary>
internal sealed record WebMapping(bool Dashboard);
