using System.Security.Cryptography;
using System.Text;

namespace OrleansWorkflow.Web.Security;

/// <summary>
/// API keys: 256 random bits, kept only as a SHA-256 hash. A slow password hash buys nothing for a key nobody chose:
/// guessing one is as hard as guessing the hash input, and every request pays the hash.
/// </summary>
public static class ApiKeys
{
    private const string Prefix = "owf_";
    private const string HashPrefix = "sha256:";

    /// <summary>A new key, like owf_3q2+... (URL-safe).</summary>
    public static string NewKey() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The hash of <paramref name="key"/> as configuration holds it: "sha256:" and 64 hexadecimal digits.</summary>
    public static string Hash(string key) => HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Whether <paramref name="hash"/> has the form <see cref="Hash"/> gives.</summary>
    public static bool IsHash(string? hash) =>
        hash is { Length: 71 } && hash.StartsWith(HashPrefix, StringComparison.Ordinal) && hash[HashPrefix.Length..].All(char.IsAsciiHexDigit);

    /// <summary>A short, non-secret id of a key (the start of its hash), for sessions and logs.</summary>
    internal static string IdOf(string hash) => hash[HashPrefix.Length..][..12];
}
