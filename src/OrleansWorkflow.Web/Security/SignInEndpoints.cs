using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Web.Api;
using OrleansWorkflow.Web.Pages;

namespace OrleansWorkflow.Web.Security;

/// <summary>
/// /signin: the page that opens a session with an API key (pasted, or given in the link's #key= fragment), POST /signin
/// and POST /signout for its script, GET /api/me for who is signed in.
/// </summary>
internal static class SignInEndpoints
{
    public const string Path = "/signin";

    // Keys are unguessable; the limit keeps a script that tries from filling the log.
    private static readonly PartitionedRateLimiter<string> Attempts = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext http) => IncidentPages.Page(http, "signin.html")).AllowAnonymous();
        app.MapPost(Path, SignInAsync).AllowAnonymous();
        app.MapPost("/signout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
                return ApiProblem.BadRequest($"this page's antiforgery token is missing or stale (header {WebSecurity.AntiforgeryHeader}); reload the page");
            await http.SignOutAsync(WebSecurity.SessionScheme);
            return Results.NoContent();
        }).AllowAnonymous();
        app.MapGet("/api/me", (HttpContext http) =>
        {
            var (name, role) = http.User.Who();
            return Results.Json(new { name, role, session = http.User.HasSessionCookie() });
        });
        return app;
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IAntiforgery antiforgery, AccessKeyStore keys, ILoggerFactory logging)
    {
        var from = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        using var attempt = Attempts.AttemptAcquire(from);
        if (!attempt.IsAcquired)
            return Results.Json(new { error = "too many sign-in attempts from this address; wait a minute" }, statusCode: StatusCodes.Status429TooManyRequests);
        if (!http.Request.HasJsonContentType())
            return Results.Json(new { error = "send {\"key\": \"...\"} with the header \"Content-Type: application/json\"" }, statusCode: StatusCodes.Status415UnsupportedMediaType);
        if (!await antiforgery.IsRequestValidAsync(http))
            return ApiProblem.BadRequest($"the sign-in page's antiforgery token is missing or stale (header {WebSecurity.AntiforgeryHeader}); reload the page");
        var key = JsonBody.Text(await JsonBody.ReadObjectAsync(http.Request), "key");
        var logger = logging.CreateLogger("OrleansWorkflow.Web.Audit");
        if (string.IsNullOrWhiteSpace(key) || await keys.FindAsync(key.Trim()) is not { } known)
        {
            logger.LogWarning("Refused a sign-in from {Address}: the key is not known", from);
            return Results.Json(new { error = "that key is not known here; ask an admin for one (or use the admin key the first silo wrote to its key file)" }, statusCode: StatusCodes.Status401Unauthorized);
        }
        await http.SignInAsync(WebSecurity.SessionScheme, WorkflowPrincipal.For(known, WebSecurity.SessionScheme));
        logger.LogInformation("{Who} ({Role}) signed in from {Address}", known.Name, known.Role.Name(), from);
        return Results.NoContent();
    }
}
