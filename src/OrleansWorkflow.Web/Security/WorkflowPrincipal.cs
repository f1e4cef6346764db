using System.Security.Claims;

namespace OrleansWorkflow.Web.Security;

/// <summary>Who a request comes from, as claims: the key's name, its role and every role below it, the key's id.</summary>
internal static class WorkflowPrincipal
{
    public const string KeyIdClaim = "owf:key";
    public const string RoleClaim = "owf:role";

    public static ClaimsPrincipal For(KnownKey key, string authenticationType) =>
        For(key.Name, key.Role, authenticationType, new Claim(KeyIdClaim, key.Id));

    public static ClaimsPrincipal For(string name, AccessRole role, string authenticationType, params Claim[] more)
    {
        var identity = new ClaimsIdentity(authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, name));
        identity.AddClaim(new Claim(RoleClaim, role.Name()));
        foreach (var implied in role.Implied())
            identity.AddClaim(new Claim(ClaimTypes.Role, implied.Name()));
        identity.AddClaims(more);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>The name and role of <paramref name="user"/>, for the audit log and the pages.</summary>
    public static (string Name, string Role) Who(this ClaimsPrincipal user) =>
        (user.Identity?.Name ?? "anonymous", user.FindFirstValue(RoleClaim) ?? "none");

    /// <summary>Whether <paramref name="user"/> came with the pages' session cookie, which a browser sends by itself (so its mutations need an antiforgery token).</summary>
    public static bool HasSessionCookie(this ClaimsPrincipal user) => user.Identity?.AuthenticationType == WebSecurity.SessionScheme;
}
