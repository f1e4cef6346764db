namespace OrleansWorkflow.Configuration;

/// <summary>
/// The one rule for what the engine never shows, in a log line or an error: the value of a setting whose name says it
/// holds a password, secret, key, token or hash, and the password of a URI (the broker's, a collector's, an identity
/// provider's), also when the URI is too malformed to parse.
/// </summary>
internal static class Secrets
{
    private static readonly string[] SecretWords = ["password", "pwd", "secret", "key", "token", "hash"];

    /// <summary>Whether the setting (or property) named <paramref name="name"/> holds a secret.</summary>
    public static bool IsSecret(string name) => SecretWords.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase));

    /// <summary>How a value of the setting <paramref name="name"/> is shown: quoted, or "not valid" for a secret.</summary>
    public static string Shown(string name, string value) => IsSecret(name) ? "not valid" : $"\"{RedactUri(value)}\"";

    /// <summary><paramref name="uri"/> with its password replaced by ***, also when it is too malformed to parse.</summary>
    public static string RedactUri(string uri)
    {
        if (System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            if (string.IsNullOrEmpty(parsed.UserInfo))
                return uri;
            var user = parsed.UserInfo.Split(':')[0];
            return new UriBuilder(parsed) { UserName = user, Password = parsed.UserInfo.Contains(':') ? "***" : "" }.Uri.ToString();
        }
        // Not a URI: whatever stands between the user name's colon and the last '@' may be a password.
        var at = uri.LastIndexOf('@');
        if (at < 0)
            return uri;
        var userStart = uri.IndexOf("//", StringComparison.Ordinal) is var slashes and >= 0 && slashes < at ? slashes + 2 : 0;
        var colon = uri.IndexOf(':', userStart);
        return colon >= 0 && colon < at ? $"{uri[..(colon + 1)]}***{uri[at..]}" : uri;
    }
}
