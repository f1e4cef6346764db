using Npgsql;
using NpgsqlTypes;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Incidents;

/// <summary>An incident's timeline, read from what its steps' writers stored, and its dead letters, whose one writer is the incident.</summary>
internal interface IIncidentJournal
{
    /// <summary>The incident's steps in the order they were recorded: handled messages and attempts that did not complete.</summary>
    Task<List<IncidentStep>> ReadStepsAsync(Guid incidentId, CancellationToken cancellationToken = default);

    /// <summary>The queues whose handlers recorded a step of the incident (they may hold data of it).</summary>
    Task<HashSet<string>> ReadQueuesAsync(Guid incidentId, CancellationToken cancellationToken = default);

    /// <summary>The incident's dead letters, in order.</summary>
    Task<List<DeadLetterRecord>> ReadDeadLettersAsync(Guid incidentId, CancellationToken cancellationToken = default);

    /// <summary>Appends a dead letter of the incident.</summary>
    Task AddDeadLetterAsync(Guid incidentId, DeadLetterRecord letter, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads an incident's timeline from the rows its steps' writers appended: the handlers' journal (owf_handler_step, a
/// completed step per handled message), the attempts that did not complete (owf_step_attempt), and the steps earlier
/// versions numbered in owf_incident_step (read, never written). Appends and reads the incident's dead letters
/// (owf_incident_dead_letter), whose one writer is the incident.
/// </summary>
internal sealed class IncidentJournal(NpgsqlDataSource database, WorkflowClusterOptions cluster) : IIncidentJournal
{
    /// <summary>
    /// The incident's steps in the order they were recorded: those earlier versions numbered first, then the handlers'
    /// and the attempts' by their place in owf_step_order. A handler row an earlier version wrote (no started_at) is
    /// the same step as one of the numbered ones and is not read twice.
    /// </summary>
    public async Task<List<IncidentStep>> ReadStepsAsync(Guid incidentId, CancellationToken cancellationToken = default)
    {
        await using var command = Command($$"""
            SELECT 0 AS part, step_no::bigint AS place, queue, message_id, originator, started_at, ended_at, outcome, sent_to, error
              FROM owf_incident_step WHERE service_id = $1 AND incident_id = $2
            UNION ALL
            SELECT 1, recorded, queue, message_id, originator, started_at, ended_at, {{(short)StepOutcome.Completed}}::smallint, coalesce(sent_to, '{}'), NULL
              FROM owf_handler_step WHERE service_id = $1 AND incident_id = $2 AND started_at IS NOT NULL
            UNION ALL
            SELECT 1, recorded, queue, message_id, originator, started_at, ended_at, {{(short)StepOutcome.Failed}}::smallint, '{}', error
              FROM owf_step_attempt WHERE service_id = $1 AND incident_id = $2
            ORDER BY part, place
            """, incidentId);
        var steps = new List<IncidentStep>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            steps.Add(new IncidentStep
            {
                Queue = reader.GetString(2),
                MessageId = reader.GetString(3),
                Originator = reader.IsDBNull(4) ? null : reader.GetString(4),
                StartedAt = reader.GetFieldValue<DateTimeOffset>(5),
                EndedAt = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                Outcome = (StepOutcome)reader.GetInt16(7),
                SentTo = [.. reader.GetFieldValue<string[]>(8)],
                Error = reader.IsDBNull(9) ? null : reader.GetString(9),
            });
        return steps;
    }

    /// <summary>The queues whose handlers recorded a step of the incident (they may hold data of it).</summary>
    public async Task<HashSet<string>> ReadQueuesAsync(Guid incidentId, CancellationToken cancellationToken = default)
    {
        await using var command = Command("""
            SELECT DISTINCT queue FROM owf_handler_step WHERE service_id = $1 AND incident_id = $2
            UNION
            SELECT DISTINCT queue FROM owf_incident_step WHERE service_id = $1 AND incident_id = $2
            """, incidentId);
        var queues = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            queues.Add(reader.GetString(0));
        return queues;
    }

    /// <summary>The incident's dead letters, in order.</summary>
    public async Task<List<DeadLetterRecord>> ReadDeadLettersAsync(Guid incidentId, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT queue, message_id, reason, at FROM owf_incident_dead_letter WHERE service_id = $1 AND incident_id = $2 ORDER BY letter_no", incidentId);
        var letters = new List<DeadLetterRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            letters.Add(new DeadLetterRecord(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        return letters;
    }

    /// <summary>Appends a dead letter of the incident.</summary>
    public async Task AddDeadLetterAsync(Guid incidentId, DeadLetterRecord letter, CancellationToken cancellationToken = default)
    {
        await using var insert = Command("INSERT INTO owf_incident_dead_letter (service_id, incident_id, queue, message_id, reason, at) VALUES ($1, $2, $3, $4, $5, $6)", incidentId);
        insert.Parameters.Add(new NpgsqlParameter { Value = letter.Queue });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)letter.MessageId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = letter.Reason });
        insert.Parameters.Add(new NpgsqlParameter { Value = letter.At.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private NpgsqlCommand Command(string text, Guid incidentId)
    {
        var command = database.CreateCommand(text);
        command.Parameters.Add(new NpgsqlParameter { Value = cluster.ServiceId });
        command.Parameters.Add(new NpgsqlParameter { Value = incidentId });
        return command;
    }
}
