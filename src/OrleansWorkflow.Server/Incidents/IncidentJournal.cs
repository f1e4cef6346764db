using Npgsql;
using NpgsqlTypes;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Incidents;

/// <summary>An incident's step as stored: its number in the incident, the version of its row (0 while not stored), and the step.</summary>
internal sealed class NumberedStep(int number, IncidentStep step, int version = 0)
{
    /// <summary>Its number in the incident; changed only for a step not stored yet whose number a stored row took.</summary>
    public int Number { get; set; } = number;
    public IncidentStep Step { get; } = step;
    public int Version { get; set; } = version;
    public bool Stored => Version > 0;

    /// <summary>A step of an incident stored before steps had rows of their own: it stays in the incident's state row.</summary>
    public bool InHeader { get; init; }
}

/// <summary>A step row was written by someone else (another activation) since this grain read it.</summary>
internal sealed class StepConflictException(Guid incidentId, int number)
    : Exception($"Step {number} of incident {incidentId} was written elsewhere since it was read; the incident reads its steps again.");

/// <summary>
/// What an incident appends as it goes: the owf_incident_step table (one row per ended step; a long incident's earlier
/// steps are never rewritten) and owf_incident_dead_letter. Each step row carries a version: a write names the
/// version it read, and loses to any other write.
/// </summary>
internal sealed class IncidentJournal(NpgsqlDataSource database, ClusterSettings cluster)
{
    private const string Columns = "service_id, incident_id, step_no, version, queue, message_id, originator, started_at, ended_at, outcome, sent_to, error";

    /// <summary>Inserts the first version of a step; the batch it is in fails when the row exists (someone else wrote that step).</summary>
    private const string Insert = $"INSERT INTO owf_incident_step ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

    /// <summary>Inserts or updates a step from the version it read; no row changes when that version is not the stored one.</summary>
    private const string Upsert = Insert + """

         ON CONFLICT (service_id, incident_id, step_no) DO UPDATE
            SET version = EXCLUDED.version, ended_at = EXCLUDED.ended_at, outcome = EXCLUDED.outcome,
                sent_to = EXCLUDED.sent_to, error = EXCLUDED.error
          WHERE owf_incident_step.version = EXCLUDED.version - 1
        """;

    /// <summary>The incident's stored steps in order, and its dead letters, in one round trip.</summary>
    public async Task<(List<NumberedStep> Steps, List<DeadLetterRecord> DeadLetters)> ReadAsync(Guid incidentId, CancellationToken cancellationToken = default)
    {
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Keyed($"SELECT {Columns} FROM owf_incident_step WHERE service_id = $1 AND incident_id = $2 ORDER BY step_no", incidentId));
        batch.BatchCommands.Add(Keyed("SELECT queue, message_id, reason, at FROM owf_incident_dead_letter WHERE service_id = $1 AND incident_id = $2 ORDER BY letter_no", incidentId));
        var steps = new List<NumberedStep>();
        var letters = new List<DeadLetterRecord>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var step = new IncidentStep
            {
                Queue = reader.GetString(4),
                MessageId = reader.GetString(5),
                Originator = reader.IsDBNull(6) ? null : reader.GetString(6),
                StartedAt = reader.GetFieldValue<DateTimeOffset>(7),
                EndedAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                Outcome = (StepOutcome)reader.GetInt16(9),
                SentTo = [.. reader.GetFieldValue<string[]>(10)],
                Error = reader.IsDBNull(11) ? null : reader.GetString(11),
            };
            steps.Add(new NumberedStep(reader.GetInt32(2), step, reader.GetInt32(3)));
        }
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            letters.Add(new DeadLetterRecord(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        return (steps, letters);
    }

    /// <summary>Appends a dead letter of the incident.</summary>
    public async Task AddDeadLetterAsync(Guid incidentId, DeadLetterRecord letter, CancellationToken cancellationToken = default)
    {
        await using var batch = database.CreateBatch();
        var insert = Keyed("INSERT INTO owf_incident_dead_letter (service_id, incident_id, queue, message_id, reason, at) VALUES ($1, $2, $3, $4, $5, $6)", incidentId);
        insert.Parameters.Add(new NpgsqlParameter { Value = letter.Queue });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)letter.MessageId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = letter.Reason });
        insert.Parameters.Add(new NpgsqlParameter { Value = letter.At.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private NpgsqlBatchCommand Keyed(string text, Guid incidentId)
    {
        var command = new NpgsqlBatchCommand(text);
        command.Parameters.Add(new NpgsqlParameter { Value = cluster.ServiceId });
        command.Parameters.Add(new NpgsqlParameter { Value = incidentId });
        return command;
    }

    /// <summary>
    /// Stores the given steps, each from the version it read, in one round trip; their versions go up. Throws
    /// <see cref="StepConflictException"/> when one was written elsewhere (the others are stored all the same).
    /// </summary>
    public async Task WriteAsync(Guid incidentId, IReadOnlyCollection<NumberedStep> steps, CancellationToken cancellationToken = default)
    {
        if (steps.Count == 0)
            return;
        await using var batch = database.CreateBatch();
        foreach (var step in steps)
            batch.BatchCommands.Add(Command(Upsert, incidentId, step, step.Version + 1));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        NumberedStep? lost = null;
        var i = 0;
        foreach (var step in steps)
        {
            if (batch.BatchCommands[i++].RecordsAffected == 1)
                step.Version++;
            else
                lost ??= step;
        }
        if (lost is not null)
            throw new StepConflictException(incidentId, lost.Number);
    }

    /// <summary>The first write of a step that ended, for a batch that must fail as a whole when the step was written elsewhere.</summary>
    public NpgsqlBatchCommand FirstWrite(Guid incidentId, NumberedStep step) => Command(Insert, incidentId, step, 1);

    private NpgsqlBatchCommand Command(string text, Guid incidentId, NumberedStep numbered, int version)
    {
        var step = numbered.Step;
        var command = Keyed(text, incidentId);
        command.Parameters.Add(new NpgsqlParameter { Value = numbered.Number });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        command.Parameters.Add(new NpgsqlParameter { Value = step.Queue });
        command.Parameters.Add(new NpgsqlParameter { Value = step.MessageId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)step.Originator ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = step.StartedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)step.EndedAt?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)step.Outcome });
        command.Parameters.Add(new NpgsqlParameter { Value = step.SentTo.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)step.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return command;
    }
}
