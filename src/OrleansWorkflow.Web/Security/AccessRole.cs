namespace OrleansWorkflow.Web.Security;

/// <summary>What a key or a signed-in person may do; each role may do everything the ones before it may.</summary>
public enum AccessRole
{
    /// <summary>Reads incidents, graphs, event streams, the dashboard.</summary>
    Viewer = 1,

    /// <summary>Also creates incidents, sends messages, completes and cancels incidents, replays and discards dead letters.</summary>
    Operator = 2,

    /// <summary>Also manages API keys, machines and purges.</summary>
    Admin = 3,
}

internal static class AccessRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static string Name(this AccessRole role) => role.ToString().ToLowerInvariant();

    /// <summary>The role named <paramref name="name"/> ("viewer", "operator", "admin", any case), or null.</summary>
    public static AccessRole? Parse(string? name) =>
        Enum.TryParse<AccessRole>(name, ignoreCase: true, out var role) && Enum.IsDefined(role) && !int.TryParse(name, out _) ? role : null;

    /// <summary>The role and every role below it: a principal carries them all, so a policy asks for one name.</summary>
    public static IEnumerable<AccessRole> Implied(this AccessRole role) => Enum.GetValues<AccessRole>().Where(r => r <= role);
}
