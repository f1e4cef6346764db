using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Cluster;

/// <summary>A real silo whose gateway speaks TLS and asks clients for a certificate of the cluster's CA.</summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("owf-cluster-tls-").FullName;

    [Fact]
    public async Task A_client_without_the_clusters_certificate_cannot_connect_and_one_with_it_runs_a_fire_incident()
    {
        using var ca = Authority("OrleansWorkflow test cluster CA");
        using var rogueCa = Authority("someone else's CA");
        var silo = Issue(ca, "silo", "silo");
        var client = Issue(ca, "client", "operator desk");
        var rogue = Issue(rogueCa, "rogue", "stranger");
        var caFile = Write("ca.pem", ca.ExportCertificatePem());

        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var process = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string>
        {
            ["OWF_Cluster__Tls__CertificateFile"] = silo.Certificate,
            ["OWF_Cluster__Tls__KeyFile"] = silo.Key,
            ["OWF_Cluster__Tls__CaFile"] = caFile,
        });

        foreach (var (who, tls) in new[]
        {
            ("no TLS", new ClusterTls()),
            ("the CA but no certificate", new ClusterTls { CaFile = caFile }),
            ("a certificate of another CA", new ClusterTls { CaFile = caFile, CertificateFile = rogue.Certificate, KeyFile = rogue.Key }),
        })
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var stranger = await process.ConnectAsync(clusterTls: tls, cancellationToken: patience.Token);
                await stranger.CreateIncident("should not exist", "FIRE");
            });
            Assert.True(refused is InvalidOperationException or OperationCanceledException or TimeoutException, $"{who}: {refused}");
        }

        await using var trusted = await process.ConnectAsync(clusterTls: new ClusterTls { CaFile = caFile, CertificateFile = client.Certificate, KeyFile = client.Key });
        var incident = await Examples.StartFireAsync(trusted);
        Assert.Equal(IncidentStatus.Completed, (await trusted.WaitForEndAsync(incident, TimeSpan.FromSeconds(60))).Status);
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
