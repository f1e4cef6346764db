using Microsoft.Extensions.Options;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansWorkflow.Hosting;

/// <summary>
/// With localhost membership a silo is a cluster of its own. A second one on the same database and service would be a
/// second cluster: both would activate the same incidents and handle their messages twice. The first silo holds a
/// PostgreSQL advisory lock for its service for as long as it runs (the database drops it when the silo's connection
/// goes, a crash included); a second one cannot take it and refuses to start.
/// </summary>
internal sealed class LocalhostClusterLock(IOptions<WorkflowClusterOptions> options, IServiceProvider services, ILogger<LocalhostClusterLock> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly WorkflowClusterOptions _cluster = options.Value;
    private NpgsqlConnection? _holder;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LocalhostClusterLock), ServiceLifecycleStage.First, TakeAsync, ReleaseAsync);

    private async Task TakeAsync(CancellationToken cancellationToken)
    {
        if (services.GetKeyedService<NpgsqlDataSource>(WorkflowStorage.Name) is not { } database)
            return;
        var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = KeyOf(_cluster.ServiceId) } } };
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            await connection.DisposeAsync();
            throw new SiloStartRefusedException(
                $"Another silo with Cluster:Membership=Localhost runs for service \"{_cluster.ServiceId}\" on this database; a second one would be a second " +
                "cluster handling the same incidents. Stop the other silo, or set Cluster:Membership=PostgreSql on every silo to run several as one cluster.");
        }
        _holder = connection;
        logger.LogDebug("Holding the localhost cluster lock of service {ServiceId}", _cluster.ServiceId);
    }

    private async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_holder is null)
            return;
        // Pooled connections outlive Dispose: give the lock back first, so it does not stay with the pool.
        await using (var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _holder) { Parameters = { new() { Value = KeyOf(_cluster.ServiceId) } } })
            await unlock.ExecuteScalarAsync(cancellationToken);
        await _holder.DisposeAsync();
    }

    /// <summary>The advisory lock key of a service: the first 8 bytes of a hash of its id.</summary>
    private static long KeyOf(string serviceId) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("orleans-workflow localhost cluster " + serviceId)), 0);
}

/// <summary>The silo may not start as configured; the message says why and what to change.</summary>
internal sealed class SiloStartRefusedException(string message) : InvalidOperationException(message);
