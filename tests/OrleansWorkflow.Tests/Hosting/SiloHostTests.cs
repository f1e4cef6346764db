using OrleansWorkflow.Incidents;
using System.Collections.Concurrent;
using System.Net;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Hosting;

/// <summary>Engine hosts as an operator starts them (owf-silo, with no workflow of its own, and the samples' host): settings checked at start.</summary>
public sealed class SiloHostTests
{
    [Fact]
    public async Task Five_bad_settings_stop_the_silo_with_one_message_naming_every_key_and_no_password()
    {
        var (exitCode, output, error) = await RunToExitAsync("owf-silo with bad settings", new()
        {
            ["OWF_RabbitMQ__QueueType"] = "lazy",
            ["OWF_RabbitMQ__Prefetch"] = "-1",
            ["OWF_Storage__PostgreSql"] = "",
            ["OWF_RabbitMQ__Uri"] = "amqp//owf-engine:s3cret-pw@127.0.0.1:5672/",
            ["OWF_Hpc__Machines__archer__Scheduler"] = "lsf",
        });

        Assert.Equal(2, exitCode);
        Assert.StartsWith("owf-silo: The configuration has", error);
        foreach (var key in new[] { "RabbitMQ:QueueType", "RabbitMQ:Prefetch", "Storage:PostgreSql", "RabbitMQ:Uri", "Hpc:Machines:archer:Scheduler" })
            Assert.Contains(key, error);
        Assert.DoesNotContain("s3cret-pw", error + output);
    }

    [Fact]
    public async Task A_silo_reachable_from_other_machines_without_cluster_TLS_exits_2_naming_the_settings()
    {
        var (exitCode, output, error) = await RunToExitAsync("owf-silo on 10.20.30.40 without TLS", new()
        {
            ["OWF_Cluster__Membership"] = "postgresql",
            ["OWF_Cluster__AdvertisedAddress"] = "10.20.30.40",
            ["OWF_Storage__PostgreSql"] = "Host=127.0.0.1;Port=55432;Username=nobody;Database=nothing",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("Cluster:AdvertisedAddress 10.20.30.40 is reachable from other machines, and Cluster:Tls is not set", error);
        Assert.DoesNotContain("RabbitMQ adapter consuming", output);
    }

    [Fact]
    public async Task A_second_localhost_silo_on_the_same_database_refuses_to_start_and_the_first_goes_on()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var first = await SiloProcess.StartAsync(database, broker, host: SiloProcess.ShippedHost);

        var (exitCode, output, error) = await RunToExitAsync("the second localhost silo", new()
        {
            ["OWF_Storage__PostgreSql"] = database.ConnectionString,
            ["OWF_RabbitMQ__Uri"] = broker.Uri,
            ["OWF_Cluster__ServiceId"] = database.Name,
            ["OWF_Cluster__ClusterId"] = database.Name,
            ["OWF_Cluster__SiloPort"] = TestServices.FreePort().ToString(),
            ["OWF_Cluster__GatewayPort"] = TestServices.FreePort().ToString(),
            ["OWF_Urls"] = $"http://127.0.0.1:{TestServices.FreePort()}",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("Another silo with Cluster:Membership=Localhost", error);
        Assert.Contains("Cluster:Membership=PostgreSql", error);
        Assert.DoesNotContain("RabbitMQ adapter consuming", output);
        Assert.False(first.HasExited);
        await using var client = await first.ConnectAsync();
        Assert.NotNull(await client.GetIncident(await client.CreateIncident("still served", "TEST")));
    }

    [Fact]
    public async Task Started_with_no_handler_the_silo_says_so_and_stays_up_and_alive()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database, broker, host: SiloProcess.ShippedHost);
        using var http = new HttpClient { BaseAddress = silo.WebUrl };

        await silo.WaitForLogAsync("No handler is registered on this silo", TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(() => http.GetAsync("/readyz"), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "/readyz to answer 200");

        Assert.Contains("consuming 0", silo.Log);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.False(silo.HasExited);
    }

    [Fact]
    public async Task A_host_given_a_Faults_section_says_it_ignores_it_and_a_fire_incident_completes()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database, broker,
            new Dictionary<string, string> { ["OWF_Faults__KillWhenHandling"] = global::OrleansWorkflow.Samples.Fire.FireWorkflow.FireTerrain }, host: SiloProcess.SamplesHost);
        await using var client = await silo.ConnectAsync();

        var incident = Assert.Single(await Faults.FireLoad.StartAsync(client, 1));
        var end = await Eventually.UntilAsync(() => client.GetIncident(incident), (IncidentInfo i) => i.Status.IsFinished(), TimeSpan.FromSeconds(60), "the fire incident to finish");

        await Faults.FireLoad.AssertNothingLostOrRepeatedAsync(client, broker, [end]);
        Assert.Contains("The configuration section Faults (Faults:KillWhenHandling) is ignored", silo.Log);
        Assert.DoesNotContain("Fault injection", silo.Log);
        Assert.False(silo.HasExited);
    }

    /// <summary>Runs owf-silo with <paramref name="environment"/> until it exits by itself (killed after 60 s): its exit code, output and errors.</summary>
    internal static async Task<(int ExitCode, string Output, string Errors)> RunToExitAsync(string what, Dictionary<string, string> environment)
    {
        var start = BuiltProgram.StartInfo(SiloProcess.ShippedHost);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var output = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        using var silo = BuiltProgram.Start(start, output, errors);
        using var _ = ProcessTree.EndOnDispose(silo);
        await BuiltProgram.WaitForExitAsync(silo, TimeSpan.FromSeconds(60), () => what);
        return (silo.ExitCode, string.Join('\n', output), string.Join('\n', errors));
    }
}
