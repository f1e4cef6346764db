using Microsoft.Extensions.Configuration;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Hosting;

/// <summary>How deliveries are handled: retries of a failing handler, and the largest body taken. Bound from the "Workflow" configuration section.</summary>
public sealed class DeliveryOptions
{
    /// <summary>Retries after a handler's first failure; then the message is dead-lettered and its incident marked Error.</summary>
    public int RetryLimit { get; set; } = 3;

    /// <summary>Wait before the first retry; it doubles with each further retry, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bodies above this size are dead-lettered unread.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    public TimeSpan BackoffBefore(int retry) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, RetryBackoff.Ticks << Math.Min(retry - 1, 20)));

    public void Validate()
    {
        if (RetryLimit < 0)
            throw new ArgumentException($"Workflow:RetryLimit is {RetryLimit}; set it to 0 (no retries) or more.");
        if (RetryBackoff < TimeSpan.Zero || MaxBackoff < RetryBackoff)
            throw new ArgumentException("Workflow:RetryBackoff must be 0 or more and at most Workflow:MaxBackoff.");
        if (MaxBodyBytes <= 0)
            throw new ArgumentException($"Workflow:MaxBodyBytes is {MaxBodyBytes}; set a positive size in bytes (default 1048576).");
    }
}

/// <summary>Where state lives and who this cluster is. Bound from the "Storage" and "Cluster" configuration sections.</summary>
public sealed class StorageOptions
{
    public string PostgreSql { get; set; } = "Host=127.0.0.1;Port=55432;Username=postgres;Database=orleans_workflow";

    /// <summary>
    /// The connection string the Orleans providers use. The providers open and close a pooled connection for every
    /// read and write; Npgsql's default reset on close (DISCARD ALL) would also throw away the server's cached plans
    /// of the state write function, re-planning it every time. The engine keeps no session state, so it skips the reset.
    /// </summary>
    public string ProviderConnectionString =>
        new Npgsql.NpgsqlConnectionStringBuilder(PostgreSql) { NoResetOnClose = true, MaxAutoPrepare = 32, AutoPrepareMinUsages = 2 }.ConnectionString;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(PostgreSql))
            throw new ArgumentException("Storage:PostgreSql is empty; set the PostgreSQL connection string (OWF_Storage__PostgreSql).");
    }
}

public sealed class ClusterSettings
{
    public const string Localhost = "localhost";
    public const string PostgreSql = "postgresql";

    public string ServiceId { get; set; } = "orleans-workflow";
    public string ClusterId { get; set; } = "orleans-workflow";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// How silos find each other: "localhost" (one silo, the default) or "postgresql" (any number of silos, one
    /// cluster, members kept in the Storage database's membership table).
    /// </summary>
    public string Membership { get; set; } = Localhost;

    /// <summary>The address this silo listens on and tells the others (postgresql membership). Loopback unless set.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    public void Validate()
    {
        if (Membership is not (Localhost or PostgreSql))
            throw new ArgumentException($"Cluster:Membership is \"{Membership}\"; set {Localhost} (one silo) or {PostgreSql} (several silos sharing the Storage database).");
        if (!System.Net.IPAddress.TryParse(AdvertisedAddress, out _))
            throw new ArgumentException($"Cluster:AdvertisedAddress \"{AdvertisedAddress}\" is not an IP address; set the address other silos and clients reach this silo on.");
        if (SiloPort is <= 0 or > 65535 || GatewayPort is <= 0 or > 65535 || SiloPort == GatewayPort)
            throw new ArgumentException($"Cluster:SiloPort ({SiloPort}) and Cluster:GatewayPort ({GatewayPort}) must be two different ports; give each silo on one machine its own pair.");
    }
}

/// <summary>Everything the engine is configured with.</summary>
public sealed class WorkflowSettings
{
    public RabbitMqOptions RabbitMq { get; init; } = new();
    public StorageOptions Storage { get; init; } = new();
    public DeliveryOptions Workflow { get; init; } = new();
    public ClusterSettings Cluster { get; init; } = new();
    public HpcOptions Hpc { get; init; } = new();
    public FaultInjection Faults { get; init; } = new();

    public static WorkflowSettings From(IConfiguration configuration)
    {
        var settings = new WorkflowSettings();
        configuration.GetSection(RabbitMqOptions.Section).Bind(settings.RabbitMq);
        configuration.GetSection("Storage").Bind(settings.Storage);
        configuration.GetSection("Workflow").Bind(settings.Workflow);
        configuration.GetSection("Cluster").Bind(settings.Cluster);
        configuration.GetSection(HpcOptions.Section).Bind(settings.Hpc);
        configuration.GetSection("Faults").Bind(settings.Faults);
        return settings;
    }

    public void Validate()
    {
        RabbitMq.Validate();
        Storage.Validate();
        Workflow.Validate();
        Cluster.Validate();
        Hpc.Validate();
    }
}
