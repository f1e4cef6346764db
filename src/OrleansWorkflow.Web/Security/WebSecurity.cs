using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Web;

namespace OrleansWorkflow.Web.Security;

/// <summary>
/// Who may use the web view: every route but sign-in, the pages' static files and the health probes needs a principal
/// (an API key as a bearer token, or the pages' session cookie opened with one), and each route a role.
/// </summary>
internal static class WebSecurity
{
    /// <summary>The default scheme: picks the key scheme for a bearer token, the session cookie otherwise.</summary>
    public const string Scheme = "OrleansWorkflow";
    public const string KeyScheme = "owf-key";
    public const string SessionScheme = "owf-session";

    /// <summary>The header the pages' script sends the antiforgery token in, and the cookie it reads it from.</summary>
    public const string AntiforgeryHeader = "X-OWF-XSRF";
    public const string AntiforgeryTokenCookie = "owf-xsrf";

    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    public static void AddWebSecurity(this IServiceCollection services, IConfiguration configuration, int maxBodyBytes, JwtOptions jwt)
    {
        services.AddSingleton<AccessKeyStore>();
        services.AddSingleton<Access.IGatewayCallers, ApiKeyGatewayCallers>();
        services.AddSingleton<MutationGuard>();
        services.AddHostedService<FirstAdminKey>();
        var authentication = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key, token or session", scheme => scheme.ForwardDefaultSelector = http =>
                ApiKeyAuthentication.BearerOf(http.Request) switch
                {
                    null => SessionScheme,
                    var token when jwt.Enabled && token.Count(c => c == '.') == 2 => IdentityProviderTokens.Scheme, // a JWT; API keys have no dots
                    _ => KeyScheme,
                })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(KeyScheme, null)
            .AddCookie(SessionScheme, Session);
        if (jwt.Enabled)
            authentication.AddIdentityProviderTokens(jwt);
        services.AddAuthorization(authorization =>
        {
            foreach (var role in Enum.GetValues<AccessRole>())
                authorization.AddPolicy(role.Name(), policy => policy.RequireRole(role.Name()));
            authorization.FallbackPolicy = authorization.GetPolicy(AccessRole.Viewer.Name());
        });
        // One key ring for the cluster, in its database: a session opened on one silo is good on all of them.
        services.AddDataProtection().SetApplicationName("OrleansWorkflow");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(keys => keys.XmlRepository = new ClusterKeyRing(provider.GetRequiredService<IGrainFactory>())));
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.HeaderName = AntiforgeryHeader;
            antiforgery.Cookie.Name = "owf-antiforgery";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
        // A page of another site that rebinds its name to this address must not get answers: loopback names only,
        // unless the host sets AllowedHosts (ASP.NET Core's setting) to the names it is reached by.
        if (configuration["AllowedHosts"] is null)
            services.Configure<HostFilteringOptions>(hosts => hosts.AllowedHosts = LoopbackHosts);
        // A message bigger than the engine's limit would be refused anyway: refuse it before reading it.
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = maxBodyBytes);
    }

    private static void Session(CookieAuthenticationOptions session)
    {
        session.Cookie.Name = "owf-session";
        session.Cookie.HttpOnly = true;
        session.Cookie.SameSite = SameSiteMode.Lax; // a link from elsewhere opens a page signed in; state changes need the antiforgery token
        session.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        session.ExpireTimeSpan = TimeSpan.FromHours(12);
        session.SlidingExpiration = true;
        session.LoginPath = SignInEndpoints.Path;
        session.ReturnUrlParameter = "returnUrl";
        session.Events.OnRedirectToLogin = context => IsApi(context.Request)
            ? RefuseAsync(context.HttpContext, StatusCodes.Status401Unauthorized)
            : Redirect(context);
        session.Events.OnRedirectToAccessDenied = context => RefuseAsync(context.HttpContext, StatusCodes.Status403Forbidden);
        // A session lives only as long as the key it was opened with: removing the key ends it.
        session.Events.OnValidatePrincipal = async context =>
        {
            var id = context.Principal?.FindFirst(WorkflowPrincipal.KeyIdClaim)?.Value;
            var keys = context.HttpContext.RequestServices.GetRequiredService<AccessKeyStore>();
            if (id is null || await keys.FindByIdAsync(id) is null)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(SessionScheme);
            }
        };
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>401 or 403 as the API's JSON error, saying what to send instead.</summary>
    public static Task RefuseAsync(HttpContext http, int status)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        string error;
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            error = "sign in: send the header \"Authorization: Bearer <API key>\" (an admin creates keys with POST /api/keys), or sign in on /signin";
        }
        else
        {
            var (name, role) = http.User.Who();
            error = $"the key \"{name}\" has the role {role}, which may not do this; ask an admin for a key with the role it needs (viewer reads, operator acts on incidents, admin manages keys)";
        }
        return http.Response.WriteAsync(JsonSerializer.Serialize(new { error }));
    }

    /// <summary>Gives a page the antiforgery token its script sends with every state-changing call.</summary>
    public static void IssueAntiforgeryToken(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        http.Response.Cookies.Append(AntiforgeryTokenCookie, tokens.RequestToken!, new CookieOptions
        {
            HttpOnly = false, // the pages' script reads it; another site's cannot (same-origin policy)
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
        });
    }
}
