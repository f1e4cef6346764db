using Npgsql;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Incidents;

/// <summary>An incident's status as its catalog row holds it.</summary>
internal readonly record struct StoredStatus(IncidentStatus Status, string? Reason, DateTimeOffset UpdatedAt);

/// <summary>
/// The incidents of this service, one record each, written by the incident's grain when its status changes and read
/// to list incidents without waking their grains. A finished incident's record stays finished: its end is the fence
/// the handlers' journal appends check (<see cref="Handlers.IHandlerJournal"/>).
/// </summary>
internal interface IIncidentCatalog
{
    /// <summary>Records a new incident; returns once it is stored.</summary>
    Task CreateAsync(IncidentInfo incident);

    /// <summary>Records the incident's change as <paramref name="incident"/> says (a finished one stays finished).</summary>
    Task WriteAsync(IncidentInfo incident);

    /// <summary>Records the incident as <see cref="WriteAsync"/> does, and returns the status the record holds afterwards.</summary>
    Task<StoredStatus> RecordAsync(IncidentInfo incident, CancellationToken cancellationToken = default);

    /// <summary>Incidents, newest first, as <paramref name="query"/> filters them.</summary>
    Task<IReadOnlyList<IncidentInfo>> ListAsync(IncidentQuery query, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> incidents that finished before <paramref name="finishedBefore"/> and whose working data is still kept, oldest first.</summary>
    Task<IReadOnlyList<Guid>> UnpurgedFinishedAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken = default);

    /// <summary>Records that the incident's working data was purged.</summary>
    Task MarkPurgedAsync(Guid incidentId, DateTimeOffset purgedAt, CancellationToken cancellationToken = default);
}

/// <summary>
/// The owf_incident table: one row per incident of this service, written by its incident grain when its status
/// changes, read to list and filter incidents without waking their grains. An incident's end is written here first
/// (before its state row): the handlers' appends check it in their own transaction.
/// </summary>
internal sealed class IncidentCatalog(NpgsqlDataSource database, WorkflowClusterOptions cluster, GroupCommit commits) : IIncidentCatalog
{
    /// <summary>Writes the incident's row; a finished incident stays finished (its end is a fence: handlers' appends check it, see owf_incident_open).</summary>
    private const string Upsert = """
        INSERT INTO owf_incident (service_id, incident_id, name, kind, incident_date, status, created_at, updated_at, reason, workflow_version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (service_id, incident_id) DO UPDATE
           SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at, reason = EXCLUDED.reason
         WHERE owf_incident.status NOT IN ('Completed', 'Cancelled')
        """;

    /// <summary>
    /// Records a new incident, in a transaction shared with other writers (<see cref="GroupCommit"/>). Only a new row
    /// goes there: a shared transaction that changed an incident's row while handlers' appends in another one lock
    /// rows of incidents for their check (owf_incident_open) could wait for it in a cycle.
    /// </summary>
    public Task CreateAsync(IncidentInfo incident) => commits.CommitAsync(() => [Parameters(new NpgsqlBatchCommand(Upsert), incident)]);

    /// <summary>Records the incident's change as <paramref name="incident"/> says (a finished one stays finished), in a transaction of its own.</summary>
    public async Task WriteAsync(IncidentInfo incident)
    {
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Parameters(new NpgsqlBatchCommand(Upsert), incident));
        await batch.ExecuteNonQueryAsync();
    }

    /// <summary>Records the incident as <see cref="WriteAsync"/> does, and returns the status the row holds afterwards.</summary>
    public async Task<StoredStatus> RecordAsync(IncidentInfo incident, CancellationToken cancellationToken = default)
    {
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Parameters(new NpgsqlBatchCommand($"""
            WITH recorded AS ({Upsert} RETURNING status, reason, updated_at)
            SELECT status, reason, updated_at FROM recorded
            UNION ALL
            SELECT status, reason, updated_at FROM owf_incident WHERE service_id = $1 AND incident_id = $2 AND NOT EXISTS (SELECT 1 FROM recorded)
            """), incident));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            throw new InvalidOperationException($"Incident {incident.IncidentId} was neither recorded nor found in owf_incident.");
        return new StoredStatus(Enum.Parse<IncidentStatus>(reader.GetString(0)), reader.IsDBNull(1) ? null : reader.GetString(1), Utc(reader, 2));
    }

    private NpgsqlBatchCommand Parameters(NpgsqlBatchCommand command, IncidentInfo incident)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = cluster.ServiceId });
        command.Parameters.Add(new NpgsqlParameter { Value = incident.IncidentId });
        command.Parameters.Add(new NpgsqlParameter { Value = incident.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = incident.Kind });
        command.Parameters.Add(new NpgsqlParameter { Value = incident.IncidentDate.UtcDateTime, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = incident.Status.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = incident.CreatedAt.UtcDateTime, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = incident.UpdatedAt.UtcDateTime, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)incident.Reason ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = incident.WorkflowVersion });
        return command;
    }

    public async Task<IReadOnlyList<IncidentInfo>> ListAsync(IncidentQuery query, CancellationToken cancellationToken = default)
    {
        query.Validate();
        await using var command = database.CreateCommand("""
            SELECT incident_id, name, kind, incident_date, status, created_at, updated_at, reason, coalesce(workflow_version, 1)
              FROM owf_incident
             WHERE service_id = @service
               AND (@status::text IS NULL OR status = @status)
               AND (@kind::text IS NULL OR kind = @kind)
               AND (@version::int IS NULL OR coalesce(workflow_version, 1) = @version)
             ORDER BY created_at DESC
             LIMIT @limit
            """);
        command.Parameters.AddWithValue("service", cluster.ServiceId);
        command.Parameters.AddWithValue("status", (object?)query.Status?.ToString() ?? DBNull.Value);
        command.Parameters.AddWithValue("kind", (object?)query.Kind ?? DBNull.Value);
        command.Parameters.AddWithValue("version", (object?)query.WorkflowVersion ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", query.Limit);
        var incidents = new List<IncidentInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            incidents.Add(new IncidentInfo(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), Utc(reader, 3),
                Enum.Parse<IncidentStatus>(reader.GetString(4)), Utc(reader, 5), Utc(reader, 6), reader.IsDBNull(7) ? null : reader.GetString(7),
                WorkflowVersion: reader.GetInt32(8)));
        return incidents;
    }

    /// <summary>Up to <paramref name="limit"/> incidents that finished before <paramref name="finishedBefore"/> and whose working data is still kept, oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> UnpurgedFinishedAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand("""
            SELECT incident_id FROM owf_incident
             WHERE service_id = @service AND status IN ('Completed', 'Cancelled') AND purged_at IS NULL AND updated_at < @before
             ORDER BY updated_at
             LIMIT @limit
            """);
        command.Parameters.AddWithValue("service", cluster.ServiceId);
        command.Parameters.AddWithValue("before", finishedBefore.UtcDateTime);
        command.Parameters.AddWithValue("limit", limit);
        var incidents = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            incidents.Add(reader.GetGuid(0));
        return incidents;
    }

    /// <summary>Records that the incident's working data was purged.</summary>
    public async Task MarkPurgedAsync(Guid incidentId, DateTimeOffset purgedAt, CancellationToken cancellationToken = default)
    {
        await using var command = database.CreateCommand("UPDATE owf_incident SET purged_at = @at WHERE service_id = @service AND incident_id = @id");
        command.Parameters.AddWithValue("service", cluster.ServiceId);
        command.Parameters.AddWithValue("id", incidentId);
        command.Parameters.AddWithValue("at", purgedAt.UtcDateTime);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DateTimeOffset Utc(NpgsqlDataReader reader, int column) => new(DateTime.SpecifyKind(reader.GetDateTime(column), DateTimeKind.Utc));
}
