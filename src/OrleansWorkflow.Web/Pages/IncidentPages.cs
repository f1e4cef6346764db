using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansWorkflow.Web.Security;

namespace OrleansWorkflow.Web.Pages;

/// <summary>
/// The incident pages: /incidents (the list) and /incidents/{id} (one incident, live). Plain HTML and script built
/// into this assembly, reading the HTTP API, so what an operator sees is what a program gets.
/// </summary>
internal static class IncidentPages
{
    private static readonly Dictionary<string, string> ContentTypes = new()
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    public static IEndpointRouteBuilder MapIncidentPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/incidents", (HttpContext http) => Page(http, "incidents.html"));
        app.MapGet("/incidents/{id}", (string id, HttpContext http) => Page(http, "incident.html"));
        // Scripts and styles hold no data: the sign-in page needs them before anyone signs in.
        app.MapGet("/assets/{name}", (string name) => Asset(name)).AllowAnonymous();
        return app;
    }

    /// <summary>A page, with the antiforgery token its script sends back on every state-changing call.</summary>
    public static IResult Page(HttpContext http, string name)
    {
        WebSecurity.IssueAntiforgeryToken(http);
        http.Response.Headers.CacheControl = "no-store";
        return Asset(name);
    }

    private static IResult Asset(string name)
    {
        var stream = typeof(IncidentPages).Assembly.GetManifestResourceStream($"OrleansWorkflow.Web.Assets.{name}");
        if (stream is null || !ContentTypes.TryGetValue(Path.GetExtension(name), out var type))
            return Results.NotFound();
        return Results.Stream(stream, type);
    }
}
