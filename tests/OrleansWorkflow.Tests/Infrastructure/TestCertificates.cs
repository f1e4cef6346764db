using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>A CA and the certificates it issues, as PEM files in a directory of their own, deleted on dispose.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("owf-certificates-").FullName;

    /// <summary>A self-signed CA.</summary>
    public static X509Certificate2 Authority(string name)
    {
        using var key = RSA.Create(2048);
        var request = Request(name, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
    }

    /// <summary>A certificate for servers and clients issued by <paramref name="authority"/>, and its key (encrypted when <paramref name="keyPassword"/> is given).</summary>
    public (string Certificate, string Key) Issue(X509Certificate2 authority, string file, string name, string? keyPassword = null)
    {
        using var key = RSA.Create(2048);
        var request = Request(name, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));
        var pem = keyPassword is null
            ? key.ExportPkcs8PrivateKeyPem()
            : key.ExportEncryptedPkcs8PrivateKeyPem(keyPassword, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));
        return (Write(file + ".pem", issued.ExportCertificatePem()), Write(file + ".key", pem));
    }

    /// <summary>Writes <paramref name="text"/> to a file of the directory; returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static CertificateRequest Request(string name, RSA key) => new($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
