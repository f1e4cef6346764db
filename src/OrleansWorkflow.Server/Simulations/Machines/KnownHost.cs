using System.Security.Cryptography;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>A pinned host key, from a known_hosts line: the key type and its public key blob.</summary>
internal sealed record KnownHost(string KeyType, byte[] Key)
{
    /// <summary>As `ssh-keygen -l` prints it: "SHA256:" and the unpadded base64 of the blob's SHA-256.</summary>
    public string Fingerprint => FingerprintOf(Key);

    public bool Matches(byte[] offeredKey) => CryptographicOperations.FixedTimeEquals(Key, offeredKey);

    public static string FingerprintOf(byte[] key) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(key)).TrimEnd('=');

    /// <summary>Reads "[host]:port type base64 [comment]", "host type base64", or just "type base64".</summary>
    public static KnownHost Parse(string line, string setting)
    {
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < fields.Length; i++)
        {
            if (!LooksLikeKeyType(fields[i]))
                continue;
            try
            {
                return new KnownHost(fields[i], Convert.FromBase64String(fields[i + 1]));
            }
            catch (FormatException)
            {
                break;
            }
        }
        throw new ArgumentException($"{setting} \"{line}\" is not a known_hosts line; expected e.g. \"[host]:22 ssh-ed25519 AAAA…\".");
    }

    private static bool LooksLikeKeyType(string field) =>
        field.StartsWith("ssh-", StringComparison.Ordinal) || field.StartsWith("ecdsa-", StringComparison.Ordinal) || field.StartsWith("sk-", StringComparison.Ordinal);
}
