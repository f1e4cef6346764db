using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansWorkflow.Web.Security;

/// <summary>
/// Bearer tokens (JWT) of the site's OpenID Connect provider, for sites that keep their people there: signature,
/// issuer, audience and lifetime checked by ASP.NET Core's JWT handler against the provider's published keys; the role
/// comes from the token's role claim, the highest of viewer, operator and admin it names.
/// </summary>
internal static class IdentityProviderTokens
{
    public const string Scheme = "owf-jwt";

    public static AuthenticationBuilder AddIdentityProviderTokens(this AuthenticationBuilder authentication, JwtOptions jwt) =>
        authentication.AddJwtBearer(Scheme, bearer =>
        {
            bearer.Authority = jwt.Authority;
            bearer.Audience = jwt.Audience;
            bearer.RequireHttpsMetadata = !jwt.IsLoopback;
            bearer.MapInboundClaims = false; // claim names as the provider writes them
            bearer.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    var token = context.Principal!;
                    var role = token.FindAll(jwt.RoleClaim).Select(c => AccessRoles.Parse(c.Value)).Where(r => r is not null).Max();
                    if (role is null)
                    {
                        context.Fail($"the token names none of the roles viewer, operator, admin in its claim \"{jwt.RoleClaim}\"");
                        return Task.CompletedTask;
                    }
                    var name = token.FindFirstValue(jwt.NameClaim) ?? token.FindFirstValue("sub") ?? "unnamed";
                    context.Principal = WorkflowPrincipal.For(name, role.Value, Scheme);
                    return Task.CompletedTask;
                },
                OnAuthenticationFailed = context =>
                {
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansWorkflow.Web.Audit")
                        .LogWarning("Refused a bearer token from {Address}: {Reason}", context.HttpContext.Connection.RemoteIpAddress, context.Exception.Message);
                    return Task.CompletedTask;
                },
                OnChallenge = context =>
                {
                    context.HandleResponse();
                    return WebSecurity.RefuseAsync(context.HttpContext, StatusCodes.Status401Unauthorized);
                },
                OnForbidden = context => WebSecurity.RefuseAsync(context.HttpContext, StatusCodes.Status403Forbidden),
            };
        });
}
