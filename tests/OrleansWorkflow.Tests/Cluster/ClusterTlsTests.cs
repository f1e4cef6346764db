using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Cluster;

/// <summary>Two real silos that speak TLS to each other and to clients, and ask clients for a certificate of the cluster's CA.</summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    [Fact]
    public async Task Two_silos_over_TLS_run_fire_incidents_and_a_client_without_the_clusters_certificate_is_refused_at_once_naming_the_settings()
    {
        using var ca = TestCertificates.Authority("OrleansWorkflow test cluster CA");
        using var rogueCa = TestCertificates.Authority("someone else's CA");
        var silo = _certificates.Issue(ca, "silo", "silo");
        // The second silo's key is encrypted (Cluster:Tls:KeyPassword), as is the trusted client's.
        var keyPassword = $"tls-key-pw-{Guid.NewGuid():N}";
        var otherSilo = _certificates.Issue(ca, "other-silo", "other silo", keyPassword);
        var client = _certificates.Issue(ca, "client", "operator desk", keyPassword);
        var rogue = _certificates.Issue(rogueCa, "rogue", "stranger");
        var caFile = _certificates.Write("ca.pem", ca.ExportCertificatePem());

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
        await using var other = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string>(settings)
        {
            ["OWF_Cluster__Tls__CertificateFile"] = otherSilo.Certificate,
            ["OWF_Cluster__Tls__KeyFile"] = otherSilo.Key,
            ["OWF_Cluster__Tls__KeyPassword"] = keyPassword,
        });

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
            clusterTls: new ClusterTls { CaFile = caFile, CertificateFile = client.Certificate, KeyFile = client.Key, KeyPassword = keyPassword });
        await Eventually.UntilAsync(trusted.GetSilos, s => s.Values.Count(v => v == "Active") == 2, TimeSpan.FromSeconds(60), "both silos to be active");
        var incidents = await Faults.FireLoad.StartAsync(trusted, 20);
        var ends = await Task.WhenAll(incidents.Select(i => trusted.WaitForEndAsync(i, TimeSpan.FromSeconds(120))));
        await Faults.FireLoad.AssertNothingLostOrRepeatedAsync(trusted, broker, ends);
        Assert.DoesNotContain(keyPassword, process.Log + other.Log);
    }

    [Fact]
    public void An_encrypted_key_without_its_password_or_with_a_wrong_one_is_named_without_the_password()
    {
        using var ca = TestCertificates.Authority("OrleansWorkflow test cluster CA");
        var (certificate, key) = _certificates.Issue(ca, "locked", "locked", "the-right-one");
        var caFile = _certificates.Write("ca.pem", ca.ExportCertificatePem());

        var missing = Assert.Single(new ClusterTls { CaFile = caFile, CertificateFile = certificate, KeyFile = key }.Problems("Cluster:Tls", needsCertificate: true));
        var wrong = Assert.Single(new ClusterTls { CaFile = caFile, CertificateFile = certificate, KeyFile = key, KeyPassword = "a-wrong-one" }.Problems("Cluster:Tls", needsCertificate: true));

        Assert.Contains("is encrypted; set Cluster:Tls:KeyPassword", missing);
        Assert.StartsWith("Cluster:Tls:KeyPassword does not open Cluster:Tls:KeyFile", wrong);
        Assert.DoesNotContain("a-wrong-one", wrong);
        Assert.Empty(new ClusterTls { CaFile = caFile, CertificateFile = certificate, KeyFile = key, KeyPassword = "the-right-one" }.Problems("Cluster:Tls", needsCertificate: true));
    }

    public void Dispose() => _certificates.Dispose();
}
