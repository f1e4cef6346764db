using Microsoft.Extensions.Logging.Abstractions;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Faults;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Engine;

[CollectionDefinition(Name)]
public sealed class BrokerTlsCollection
{
    public const string Name = "broker-tls";
}

/// <summary>The production options: a RabbitMQ user with a password, reached over amqps:// with a certificate of the site's own CA.</summary>
[Collection(BrokerTlsCollection.Name)]
public sealed class BrokerTlsTests
{
    private const string Password = "S3cret-for-tls-test";

    [Fact]
    public async Task A_silo_and_a_client_on_amqps_with_their_own_user_run_a_fire_incident_and_never_log_the_password()
    {
        await using var rabbit = await PrivateRabbitMq.StartAsync();
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync(rabbit.Node);
        var uri = await rabbit.TlsUriForNewUserAsync(broker, "owf-engine", Password);
        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string>
        {
            ["OWF_RabbitMQ__Uri"] = uri,
            ["OWF_RabbitMQ__TlsCaFile"] = rabbit.CaFile,
            ["OWF_Fire__WorkTime"] = "00:00:00",
        });
        await using var client = await silo.ConnectAsync(brokerUri: uri, tlsCaFile: rabbit.CaFile);

        var incident = (await FireLoad.StartAsync(client, 1)).Single();
        var end = await client.WaitForEndAsync(incident, TimeSpan.FromMinutes(1));

        Assert.Equal(IncidentStatus.Completed, end.Status);
        var connections = await rabbit.Node.CtlAsync("list_connections", "user", "ssl", "vhost");
        Assert.Contains("owf-engine\ttrue", connections);
        Assert.Contains("amqps://owf-engine:***@127.0.0.1", silo.Log);
        Assert.DoesNotContain(Password, silo.Log);
    }

    [Fact]
    public async Task A_broker_certificate_of_an_untrusted_CA_is_refused_with_the_setting_that_fixes_it()
    {
        await using var rabbit = await PrivateRabbitMq.StartAsync();
        await using var broker = await TestVirtualHost.CreateAsync(rabbit.Node);
        var uri = await rabbit.TlsUriForNewUserAsync(broker, "owf-engine", Password);

        var untrusted = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RabbitMqConnections.OpenAsync(new RabbitMqOptions { Uri = uri }, "test", NullLogger.Instance, CancellationToken.None));
        Assert.Contains("does not chain to a trusted root", untrusted.Message);
        Assert.Contains("RabbitMQ:TlsCaFile", untrusted.Message);
        Assert.DoesNotContain(Password, untrusted.Message);

        var wrongName = await Assert.ThrowsAsync<InvalidOperationException>(() => RabbitMqConnections.OpenAsync(
            new RabbitMqOptions { Uri = uri.Replace("127.0.0.1", "localhost"), TlsCaFile = rabbit.CaFile }, "test", NullLogger.Instance, CancellationToken.None));
        Assert.Contains("does not name localhost", wrongName.Message);

        await using var trusted = await RabbitMqConnections.OpenAsync(new RabbitMqOptions { Uri = uri, TlsCaFile = rabbit.CaFile }, "test", NullLogger.Instance, CancellationToken.None);
        Assert.True(trusted.IsOpen);
    }
}
