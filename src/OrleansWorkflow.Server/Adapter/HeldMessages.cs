using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Messaging.Telemetry;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// Messages of incidents whose workflow version no live silo runs: kept in the owf_held_message table (so the queue's
/// consumers go on with other incidents' messages) until a silo that runs the version is up, then published again to
/// the queue they came from, with their MessageID (a copy handled before is known as a duplicate). The only writer of
/// the table: consumers hold, <see cref="ReleaseAsync(CancellationToken)"/> releases.
/// </summary>
internal sealed class HeldMessages(NpgsqlDataSource database, WorkflowClusterOptions cluster, QueuePublisher publisher, ClusterWorkflowVersions versions, ILogger<HeldMessages> logger)
{
    /// <summary>The header a released message carries: a silo that runs its version was live when it was released.</summary>
    private const string ReleasedHeader = "x-owf-released";

    /// <summary>Whether a delivery is a message released from hold (a hint for waiting, never for trusting).</summary>
    public static bool WasReleased(IDictionary<string, object?>? headers) => headers?.ContainsKey(ReleasedHeader) == true;

    /// <summary>At most this many are published again per workflow version and round.</summary>
    private const int ReleaseBatch = 200;

    /// <summary>Keeps a message consumed from <paramref name="queue"/>; returns once it is stored (the delivery may then be acknowledged).</summary>
    public async Task HoldAsync(string queue, string messageId, Guid incidentId, IncidentWorkflow workflow, ReadOnlyMemory<byte> body, string? traceParent, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("""
            INSERT INTO owf_held_message (service_id, queue, message_id, incident_id, kind, workflow_version, body, trace_parent, held_at)
            VALUES (@service, @queue, @message, @incident, @kind, @version, @body, @trace, now())
            ON CONFLICT (service_id, queue, message_id) DO NOTHING
            """);
        command.Parameters.AddWithValue("service", cluster.ServiceId);
        command.Parameters.AddWithValue("queue", queue);
        command.Parameters.AddWithValue("message", messageId);
        command.Parameters.AddWithValue("incident", incidentId);
        command.Parameters.AddWithValue("kind", workflow.Kind);
        command.Parameters.AddWithValue("version", workflow.Version);
        command.Parameters.AddWithValue("body", body.ToArray());
        command.Parameters.AddWithValue("trace", (object?)traceParent ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>How many messages are held, per workflow version.</summary>
    public async Task<IReadOnlyList<(IncidentWorkflow Workflow, long Count)>> CountAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("""
            SELECT kind, workflow_version, count(*) FROM owf_held_message WHERE service_id = @service
             GROUP BY kind, workflow_version ORDER BY kind, workflow_version
            """);
        command.Parameters.AddWithValue("service", cluster.ServiceId);
        var held = new List<(IncidentWorkflow, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            held.Add((new IncidentWorkflow(reader.GetString(0), reader.GetInt32(1)), reader.GetInt64(2)));
        return held;
    }

    /// <summary>Publishes again the held messages of every version a live silo now runs; returns how many.</summary>
    public async Task<int> ReleaseAsync(CancellationToken cancellationToken)
    {
        var released = 0;
        foreach (var (workflow, _) in await CountAsync(cancellationToken))
            if (versions.AnyRuns(workflow))
                released += await ReleaseAsync(workflow, cancellationToken);
        return released;
    }

    private static Dictionary<string, object?> Headers(string? traceParent)
    {
        var headers = new Dictionary<string, object?> { [ReleasedHeader] = 1 };
        if (traceParent is not null)
            headers[WorkflowTracing.TraceParentHeader] = traceParent;
        return headers;
    }

    /// <summary>
    /// Takes a batch of one version's held messages (rows another silo is releasing are skipped), publishes them with
    /// confirms, and deletes them in the same transaction: a crash before the commit publishes them again, never loses one.
    /// </summary>
    private async Task<int> ReleaseAsync(IncidentWorkflow workflow, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var taken = new List<(string Queue, string MessageId, byte[] Body, string? TraceParent)>();
        await using (var take = new NpgsqlCommand("""
            SELECT queue, message_id, body, trace_parent FROM owf_held_message
             WHERE service_id = @service AND kind = @kind AND workflow_version = @version
             ORDER BY held_at LIMIT @batch FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            take.Parameters.AddWithValue("service", cluster.ServiceId);
            take.Parameters.AddWithValue("kind", workflow.Kind);
            take.Parameters.AddWithValue("version", workflow.Version);
            take.Parameters.AddWithValue("batch", ReleaseBatch);
            await using var reader = await take.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                taken.Add((reader.GetString(0), reader.GetString(1), (byte[])reader[2], reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        if (taken.Count == 0)
            return 0;

        await publisher.PublishAllAsync(taken.Select(m => new OutgoingMessage(m.Queue, m.Body, m.MessageId, Headers(m.TraceParent))), cancellationToken);
        await using (var delete = new NpgsqlCommand(
            "DELETE FROM owf_held_message WHERE service_id = @service AND queue = @queue AND message_id = @message", connection, transaction))
        {
            var queue = delete.Parameters.Add(new NpgsqlParameter<string>("queue", ""));
            var message = delete.Parameters.Add(new NpgsqlParameter<string>("message", ""));
            delete.Parameters.AddWithValue("service", cluster.ServiceId);
            foreach (var (heldQueue, messageId, _, _) in taken)
            {
                queue.Value = heldQueue;
                message.Value = messageId;
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Released {Count} held messages of {Workflow} to their queues: a live silo runs it now ({Silos})", taken.Count, workflow, versions.Describe(workflow.Kind));
        return taken.Count;
    }
}
