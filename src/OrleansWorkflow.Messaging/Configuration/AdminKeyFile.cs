namespace OrleansWorkflow.Configuration;

/// <summary>Where the first silo of a cluster writes the admin key it created, and where clients on that machine find it.</summary>
internal static class AdminKeyFile
{
    /// <summary>
    /// <paramref name="configured"/> (Web:AdminKeyFile) when set, else <c>$XDG_CONFIG_HOME/orleans-workflow/&lt;ClusterId&gt;.admin-key</c>
    /// (<c>~/.config/…</c> without XDG_CONFIG_HOME).
    /// </summary>
    public static string PathFor(string? configured, string clusterId) => configured ?? Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } config ? config : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"),
        "orleans-workflow", $"{clusterId}.admin-key");
}
