using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansWorkflow.Web.Security;

/// <summary>Authenticates "Authorization: Bearer &lt;key&gt;" against the configured and stored API keys.</summary>
internal sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerOf(Request) is not { } key)
            return AuthenticateResult.NoResult();
        if (await keys.FindAsync(key) is not { } known)
            return AuthenticateResult.Fail("The API key is not known here.");
        return AuthenticateResult.Success(new AuthenticationTicket(WorkflowPrincipal.For(known, Scheme.Name), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => WebSecurity.RefuseAsync(Context, StatusCodes.Status401Unauthorized);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => WebSecurity.RefuseAsync(Context, StatusCodes.Status403Forbidden);

    /// <summary>The token of an "Authorization: Bearer ..." header, or null.</summary>
    public static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }
}
