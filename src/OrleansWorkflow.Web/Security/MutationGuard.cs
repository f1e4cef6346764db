using Microsoft.Extensions.Options;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Web.Api;

namespace OrleansWorkflow.Web.Security;

/// <summary>
/// Every state-changing route passes here, after authorization: a body must be JSON (a form or text/plain POST, which
/// another site's page can make without asking, gets 415), a call made with the pages' session cookie must carry the
/// page's antiforgery token, each principal has a rate, and what was done, by whom, goes to the audit log.
/// </summary>
internal sealed class MutationGuard(IOptions<WebOptions> web, IAntiforgery antiforgery, ILoggerFactory logging) : IEndpointFilter
{
    private readonly ILogger _audit = logging.CreateLogger("OrleansWorkflow.Web.Audit");
    private readonly PartitionedRateLimiter<string> _rate = PartitionedRateLimiter.Create<string, string>(principal =>
        RateLimitPartition.GetTokenBucketLimiter(principal, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = 2 * web.Value.MutationsPerSecond,
            TokensPerPeriod = web.Value.MutationsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        }));

    /// <summary>A file sent as application/octet-stream to an endpoint that says it accepts one (an upload).</summary>
    private static bool TakesAsBytes(HttpContext http) =>
        http.Request.ContentType?.StartsWith(Binary, StringComparison.OrdinalIgnoreCase) == true
        && http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes.Contains(Binary) == true;

    private const string Binary = "application/octet-stream";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var (name, role) = http.User.Who();
        if ((request.ContentType is not null || request.ContentLength > 0) && !request.HasJsonContentType() && !TakesAsBytes(http))
            return Results.Json(new { error = $"send the body as JSON with the header \"Content-Type: application/json\" (this request's is \"{request.ContentType}\")" },
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        if (http.User.HasSessionCookie())
        {
            try
            {
                await antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                _audit.LogWarning("Refused {Method} {Path} by {Who} ({Role}): no valid antiforgery token", request.Method, request.Path, name, role);
                return ApiProblem.BadRequest($"this page's antiforgery token is missing or stale (header {WebSecurity.AntiforgeryHeader}); reload the page and try again");
            }
        }
        using var lease = _rate.AttemptAcquire(name);
        if (!lease.IsAcquired)
        {
            http.Response.Headers.RetryAfter = "1";
            return Results.Json(new { error = $"more than {web.Value.MutationsPerSecond} changes a second by \"{name}\" (Web:MutationsPerSecond); slow down and retry" },
                statusCode: StatusCodes.Status429TooManyRequests);
        }

        var result = await next(context);
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : http.Response.StatusCode;
        _audit.LogInformation("{Method} {Path} by {Who} ({Role}): {Status}", request.Method, request.Path, name, role, status);
        return result;
    }
}

internal static class MutationGuardExtensions
{
    /// <summary>Marks <paramref name="route"/> as state-changing: it needs <paramref name="role"/> and passes the <see cref="MutationGuard"/>.</summary>
    public static RouteHandlerBuilder Mutation(this RouteHandlerBuilder route, AccessRole role = AccessRole.Operator) =>
        route.RequireAuthorization(role.Name())
            .AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<MutationGuard>().InvokeAsync(context, next));
}
