using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;

namespace OrleansWorkflow.Messaging;

/// <summary>
/// How an amqps:// broker's certificate is checked: it must name the host of RabbitMQ:Uri (the client library would
/// let a name mismatch through for amqps URIs), and chain to the system's trusted roots or to the CA of
/// RabbitMQ:TlsCaFile. Nothing is trusted blindly.
/// </summary>
internal sealed class BrokerCertificate(RabbitMqOptions options, Uri broker)
{
    private readonly X509Certificate2Collection? _authorities = LoadAuthorities(options.TlsCaFile);

    /// <summary>Why the last certificate was refused, with the setting that fixes it; null when none was.</summary>
    public string? Refusal { get; private set; }

    /// <summary>TLS to <paramref name="host"/> (a node of the broker; by default the URI's host), checked as above.</summary>
    public SslOption SslOption(string? host = null)
    {
        var name = host ?? broker.Host;
        return new()
        {
            Enabled = true,
            ServerName = name,
            AcceptablePolicyErrors = SslPolicyErrors.None,
            CertificateValidationCallback = (sender, certificate, chain, errors) => Validate(name, certificate, chain, errors),
        };
    }

    private bool Validate(string host, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
            return true;
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return Refuse("the broker sent no certificate");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return Refuse($"its certificate ({certificate.Subject}) does not name {host}; connect by a name the certificate holds");
        if (_authorities is null)
            return Refuse($"its certificate ({certificate.Subject}, issued by {certificate.Issuer}) does not chain to a trusted root; " +
                          "set RabbitMQ:TlsCaFile to the PEM file of the CA that issued it");

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())))
            return true;
        return Refuse($"its certificate ({certificate.Subject}, issued by {certificate.Issuer}) does not chain to the CA in {options.TlsCaFile}: " +
                      string.Join("; ", custom.ChainStatus.Select(s => s.StatusInformation.Trim())));
    }

    private static X509Certificate2Collection? LoadAuthorities(string? pemFile)
    {
        if (string.IsNullOrEmpty(pemFile))
            return null;
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(pemFile);
        return authorities;
    }

    private bool Refuse(string reason)
    {
        Refusal = reason;
        return false;
    }
}
