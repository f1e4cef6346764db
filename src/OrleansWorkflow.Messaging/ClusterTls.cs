using System.Security.Cryptography.X509Certificates;

namespace OrleansWorkflow.Messaging;

/// <summary>
/// TLS on the cluster's own links (silo to silo, client to gateway), from PEM files: this machine's certificate and
/// key, and the certificate of the cluster's CA, the only issuer trusted on those links. Bound from "Cluster:Tls" on
/// silos and clients alike.
/// </summary>
public sealed class ClusterTls
{
    /// <summary>This silo's (or client's) certificate, PEM. Empty: no TLS (a client may still give <see cref="CaFile"/> alone, if silos do not require client certificates).</summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>Its private key, PEM, readable by this user only: unencrypted, or encrypted with <see cref="KeyPassword"/>.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>The password of <see cref="KeyFile"/> when it is encrypted ("ENCRYPTED PRIVATE KEY"); never shown.</summary>
    public string KeyPassword { get; set; } = "";

    /// <summary>The cluster CA's certificate, PEM: silos and clients present certificates it issued, and nothing else is trusted.</summary>
    public string CaFile { get; set; } = "";

    /// <summary>Silos only: whether a client must present a certificate of the cluster's CA to use the gateway (default true).</summary>
    public bool RequireClientCertificate { get; set; } = true;

    /// <summary>Whether TLS is configured at all.</summary>
    public bool Enabled => CaFile.Length > 0 || CertificateFile.Length > 0;

    /// <summary>Every problem of these settings, each by its key under <paramref name="section"/>.</summary>
    public IEnumerable<string> Problems(string section, bool needsCertificate)
    {
        if (!Enabled)
            yield break;
        if (CaFile.Length == 0 || !File.Exists(CaFile))
            yield return $"{section}:CaFile \"{CaFile}\" is not a file; give the PEM certificate of the CA that issues the cluster's certificates.";
        if (needsCertificate || CertificateFile.Length > 0)
        {
            if (!File.Exists(CertificateFile))
                yield return $"{section}:CertificateFile \"{CertificateFile}\" is not a file; give this machine's PEM certificate, issued by the cluster's CA.";
            if (!File.Exists(KeyFile))
                yield return $"{section}:KeyFile \"{KeyFile}\" is not a file; give the PEM private key of {section}:CertificateFile.";
            else if (File.Exists(CertificateFile) && KeyProblem(section) is { } problem)
                yield return problem;
        }
    }

    /// <summary>Why the key cannot be used with the certificate (an encrypted key without its password, a wrong password), or null.</summary>
    private string? KeyProblem(string section)
    {
        if (KeyPassword.Length == 0 && File.ReadAllText(KeyFile).Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
            return $"{section}:KeyFile \"{KeyFile}\" is encrypted; set {section}:KeyPassword to its password.";
        try
        {
            using var certificate = LoadCertificate();
            return null;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            return KeyPassword.Length > 0
                ? $"{section}:KeyPassword does not open {section}:KeyFile \"{KeyFile}\", or the key is not that of {section}:CertificateFile ({e.Message})."
                : $"{section}:KeyFile \"{KeyFile}\" is not the PEM private key of {section}:CertificateFile ({e.Message}).";
        }
    }

    /// <summary>This machine's certificate with its key, or null when none is configured.</summary>
    public X509Certificate2? LoadCertificate()
    {
        if (CertificateFile.Length == 0)
            return null;
        using var pem = KeyPassword.Length > 0
            ? X509Certificate2.CreateFromEncryptedPemFile(CertificateFile, KeyPassword, KeyFile)
            : X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);
        // SslStream on Linux wants a certificate whose key it can use from any thread: load it as PKCS#12 once.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Trusts a peer's certificate only when it chains to the cluster's CA. Host names are not compared: silos are
    /// reached by address, and the cluster's CA issues certificates to its silos and trusted clients only.
    /// </summary>
    public Func<X509Certificate2?, bool> Validator()
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaFile);
        return certificate =>
        {
            if (certificate is null)
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        };
    }

    /// <summary>
    /// Orleans' TLS options for this machine's links, the same for a silo and a client: its certificate, and trust in
    /// the cluster's CA alone. A silo (<paramref name="acceptsClients"/>) requires a certificate of every other silo,
    /// and of clients as <see cref="RequireClientCertificate"/> says.
    /// </summary>
    internal void Configure(Orleans.Connections.Security.TlsOptions options, bool acceptsClients)
    {
        var trusted = Validator();
        options.LocalCertificate = LoadCertificate();
        options.RemoteCertificateValidation = (presented, _, _) => trusted(presented);
        if (!acceptsClients)
            return;
        options.RemoteCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RequireClientCertificate
            ? Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate
            : Orleans.Connections.Security.RemoteCertificateMode.AllowCertificate;
    }
}
