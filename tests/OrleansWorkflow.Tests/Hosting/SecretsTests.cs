using System.Text.Json.Nodes;
using Npgsql;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Web.Security;

namespace OrleansWorkflow.Tests.Hosting;

/// <summary>
/// A secret in every secret-bearing setting (the broker URI's password, the database connection string's password,
/// the API keys' hashes, the cluster TLS key's password), through a silo's whole life and through a start refused for a bad value in every section:
/// no line the silo writes holds any of them.
/// </summary>
public sealed class SecretsTests
{
    [Fact]
    public async Task No_log_line_of_a_silo_run_or_of_a_refused_start_holds_a_secret_of_its_settings()
    {
        var brokerPassword = $"amqp-pw-{Guid.NewGuid():N}";
        var databasePassword = $"pg-pw-{Guid.NewGuid():N}";
        var operatorKey = ApiKeys.NewKey();
        var operatorHash = ApiKeys.Hash(operatorKey);
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var brokerUser = $"owf-secret-{Guid.NewGuid():N}"[..24];
        await broker.Node.CtlAsync("add_user", brokerUser, brokerPassword);
        await using var userDeleted = new DeleteOnDispose(() => broker.Node.CtlAsync("delete_user", brokerUser));
        await broker.Node.CtlAsync("set_permissions", "-p", broker.Name, brokerUser, ".*", ".*", ".*");
        var brokerUri = $"amqp://{brokerUser}:{brokerPassword}@127.0.0.1:{broker.Node.Port}/{Uri.EscapeDataString(broker.Name)}";
        // The test server trusts loopback logins: the password is carried everywhere the engine uses the string, and checked nowhere.
        var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = databasePassword }.ConnectionString;
        using var certificates = new TestCertificates();
        using var ca = TestCertificates.Authority("secrets test CA");
        var keyPassword = $"tls-key-pw-{Guid.NewGuid():N}";
        var siloCertificate = certificates.Issue(ca, "silo", "silo", keyPassword);
        var clientCertificate = certificates.Issue(ca, "client", "desk", keyPassword);
        var caFile = certificates.Write("ca.pem", ca.ExportCertificatePem());
        var tls = new Dictionary<string, string>
        {
            ["OWF_Cluster__Tls__CertificateFile"] = siloCertificate.Certificate,
            ["OWF_Cluster__Tls__KeyFile"] = siloCertificate.Key,
            ["OWF_Cluster__Tls__KeyPassword"] = keyPassword,
            ["OWF_Cluster__Tls__CaFile"] = caFile,
        };
        var secrets = new[] { brokerPassword, databasePassword, operatorKey, operatorHash, operatorHash["sha256:".Length..], keyPassword };

        string running;
        await using (var silo = await SiloProcess.StartAsync(connectionString, database.Name, broker, new Dictionary<string, string>
        {
            ["OWF_RabbitMQ__Uri"] = brokerUri,
            ["OWF_Web__ApiKeys__0__Name"] = "desk",
            ["OWF_Web__ApiKeys__0__Role"] = "operator",
            ["OWF_Web__ApiKeys__0__Hash"] = operatorHash,
            ["OWF_Logging__LogLevel__OrleansWorkflow"] = "Debug",
        }.Concat(tls).ToDictionary()))
        {
            await using var client = await silo.ConnectAsync(brokerUri: brokerUri, apiKey: operatorKey, clusterTls: new Messaging.ClusterTls
            {
                CaFile = caFile, CertificateFile = clientCertificate.Certificate, KeyFile = clientCertificate.Key, KeyPassword = keyPassword,
            });
            var incident = await client.CreateIncident("secrets kept", "AB");
            await client.SendNow(ABWorkflow.AQueue, new JsonObject { ["IncidentID"] = incident.ToString() });
            Assert.Equal(IncidentStatus.Completed, (await client.WaitForEndAsync(incident, TimeSpan.FromSeconds(60))).Status);
            using var http = new HttpClient { BaseAddress = silo.WebUrl, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", operatorKey);
            Assert.True((await http.GetAsync($"/api/incidents/{incident}")).IsSuccessStatusCode);
            await silo.StopAsync(TimeSpan.FromSeconds(60));
            running = silo.Log;
        }
        Assert.Contains("RabbitMQ adapter consuming", running);

        var (exitCode, output, errors) = await SiloHostTests.RunToExitAsync("owf-silo with secrets and a bad value in every section", new()
        {
            ["OWF_RabbitMQ__Uri"] = brokerUri,
            ["OWF_RabbitMQ__Prefetch"] = "-1",
            ["OWF_Storage__PostgreSql"] = connectionString + ";Maximum Pool Size=1",
            ["OWF_Workflow__RetryLimit"] = "-1",
            ["OWF_Cluster__Membership"] = "everywhere",
            ["OWF_Hpc__Machines__archer__Scheduler"] = "lsf",
            ["OWF_Telemetry__OtlpEndpoint"] = "collector",
            ["OWF_Web__ApiKeys__0__Name"] = "desk",
            ["OWF_Web__ApiKeys__0__Role"] = "operator",
            ["OWF_Web__ApiKeys__0__Hash"] = operatorHash,
            ["OWF_Web__ApiKeys__1__Name"] = "careless",
            ["OWF_Web__ApiKeys__1__Role"] = "operator",
            ["OWF_Web__ApiKeys__1__Hash"] = operatorKey,
            ["OWF_Cluster__Tls__CertificateFile"] = siloCertificate.Certificate,
            ["OWF_Cluster__Tls__KeyFile"] = siloCertificate.Key,
            ["OWF_Cluster__Tls__KeyPassword"] = keyPassword,
            ["OWF_Cluster__Tls__CaFile"] = caFile,
        });
        Assert.Equal(2, exitCode);
        foreach (var key in new[] { "RabbitMQ:Prefetch", "Storage:PostgreSql", "Workflow:RetryLimit", "Cluster:Membership", "Hpc:Machines:archer:Scheduler", "Telemetry:OtlpEndpoint", "Web:ApiKeys:1:Hash" })
            Assert.Contains(key, errors);

        var lines = $"{running}\n{output}\n{errors}".Split('\n');
        var leaks = lines.Where(l => secrets.Any(secret => l.Contains(secret, StringComparison.Ordinal))).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} log lines hold a secret, the first: {leaks.FirstOrDefault()}");
    }
}

/// <summary>Runs an asynchronous clean-up when disposed.</summary>
internal sealed class DeleteOnDispose(Func<Task> delete) : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await delete();
}
