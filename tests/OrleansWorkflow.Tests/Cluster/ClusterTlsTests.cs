using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Cluster;

/// <summary>Two real silos that speak TLS to each other and to clients, and ask clients for a certificate of the cluster's CA.</summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("owf-cluster-tls-").FullName;

    [Fact]
    public async Task Two_silos_over_TLS_run_fire_incidents_and_a_client_without_the_clusters_certificate_is_refused_at_once_naming_the_settings()
    {
        using var ca = Authority("OrleansWorkflow test cluster CA");
        using var rogueCa = Authority("someone else's CA");
        var silo = Issue(ca, "silo", "silo");
        var client = Issue(ca, "client", "operator desk");
        var rogue = Issue(rogueCa, "rogue", "stranger");
        var caFile = Write("ca.pem", ca.ExportCertificatePem());

        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var settings = new Dictionary<string, string>
        {
            ["OWF_Cluster__Membership"] = "postgresql",
            ["OWF_Cluster__Tls__CertificateFile"] = silo.Certificate,
            ["OWF_Cluster__Tls__KeyFile"] = silo.Key,
            ["OWF_Cluster__Tls__CaFile"] = caFile,
        };
        await using var process = await SiloProcess.StartAsync(database, broker, settings);
        await using var other = await SiloProcess.StartAsync(database, broker, settings);

        foreach (var (who, tls) in new[]
        {
            ("no TLS", new ClusterTls()),
            ("the CA but no certificate", new ClusterTls { CaFile = caFile }),
            ("a certificate of another CA", new ClusterTls { CaFile = caFile, CertificateFile = rogue.Certificate, KeyFile = rogue.Key }),
        })
        {
            // Refused by the TLS handshake, not given up on: the patience is far longer than the refusal takes.
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await using var stranger = await process.ConnectAsync(clusterTls: tls, cancellationToken: patience.Token);
                await stranger.CreateIncident("should not exist", "FIRE");
            });
            Assert.False(patience.IsCancellationRequested, $"{who}: the client waited for its patience to run out instead of being refused");
            Assert.Contains("closed every connection of this client at once", refused.Message);
            Assert.Contains("Cluster:Tls:CaFile, :CertificateFile and :KeyFile", refused.Message);
        }

        // The two silos found each other over TLS (membership probes go silo to silo), and run incidents together.
        await using var trusted = await process.ConnectAsync(membershipDatabase: database.ConnectionString,
            clusterTls: new ClusterTls { CaFile = caFile, CertificateFile = client.Certificate, KeyFile = client.Key });
        await Eventually.UntilAsync(trusted.GetSilos, s => s.Values.Count(v => v == "Active") == 2, TimeSpan.FromSeconds(60), "both silos to be active");
        var incidents = await Faults.FireLoad.StartAsync(trusted, 20);
        var ends = await Task.WhenAll(incidents.Select(i => trusted.WaitForEndAsync(i, TimeSpan.FromSeconds(120))));
        await Faults.FireLoad.AssertNothingLostOrRepeatedAsync(trusted, broker, ends);
    }

    private static CertificateRequest Request(string name, RSA key) => new($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    private static X509Certificate2 Authority(string name)
    {
        using var key = RSA.Create(2048);
        var request = Request(name, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
    }

    private (string Certificate, string Key) Issue(X509Certificate2 authority, string file, string name)
    {
        using var key = RSA.Create(2048);
        var request = Request(name, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));
        return (Write(file + ".pem", issued.ExportCertificatePem()), Write(file + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
