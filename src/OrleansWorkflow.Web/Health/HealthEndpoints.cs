using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansWorkflow.Health;

namespace OrleansWorkflow.Web.Health;

internal static class HealthEndpoints
{
    /// <summary>/healthz: the process is alive. /readyz: every readiness check (broker, database, membership, machines), as JSON.</summary>
    public static IEndpointRouteBuilder MapWorkflowHealth(this IEndpointRouteBuilder app)
    {
        // Probes (load balancers, orchestrators) carry no credentials; the answers say how components are, nothing about incidents.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(WorkflowHealth.Live), ResponseWriter = WriteAsync }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(WorkflowHealth.Ready), ResponseWriter = WriteAsync }).AllowAnonymous();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }
}
