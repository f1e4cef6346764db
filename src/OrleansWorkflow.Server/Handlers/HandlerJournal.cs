using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Handlers;

/// <summary>One handled message in a handler's journal: its number, its documents, its effects (null once carried out) and what it changed in the handler's joins.</summary>
internal sealed record JournalEntry(int Seq, string MessageId, IReadOnlyList<string> Documents, List<OutboxEntry>? Outbox, IReadOnlyList<JoinEvent> Joins);

/// <summary>The step a handled message is in the incident's timeline, recorded in the same row as its journal entry.</summary>
internal sealed record HandledStep(string? Originator, DateTimeOffset StartedAt, DateTimeOffset EndedAt, IReadOnlyList<string> SentTo);

/// <summary>The incident finished before the step could be recorded: the append was refused in its own transaction.</summary>
internal sealed class IncidentFinishedException(string detail, Exception inner) : Exception(detail, inner)
{
    /// <summary>The SQLSTATE owf_incident_open raises.</summary>
    public const string SqlState = "OWF01";
}

/// <summary>The journal was written by another activation of the handler since this one read it.</summary>
internal sealed class JournalConflictException(string detail, Exception inner) : Exception(detail, inner);

/// <summary>
/// Where a handler's journal is kept: one entry per message the handler handled for an incident, which is also that
/// message's step in the incident's timeline. The one writer of an entry is the handler's activation; the store
/// refuses an entry whose place (incident, queue, number) is taken, and an entry of an incident whose end it has
/// recorded (<see cref="Incidents.IIncidentCatalog"/>).
/// </summary>
internal interface IHandlerJournal
{
    /// <summary>The handler's entries for the incident, in order; only the newest may still hold effects.</summary>
    Task<List<JournalEntry>> ReadAsync(Guid incidentId, string queue, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="entry"/> with its <paramref name="step"/> and returns once it is stored. Throws
    /// <see cref="JournalConflictException"/> when its place is taken (or, with <paramref name="refuseEarlierRow"/>, when
    /// an earlier release's state row of the handler exists), <see cref="IncidentFinishedException"/> when the
    /// incident's end was recorded first.
    /// </summary>
    Task AppendAsync(Guid incidentId, string queue, JournalEntry entry, HandledStep step, bool refuseEarlierRow);

    /// <summary>Forgets the effects of entry <paramref name="seq"/>: they were carried out.</summary>
    Task ClearOutboxAsync(Guid incidentId, string queue, int seq, CancellationToken cancellationToken = default);

    /// <summary>Drops documents, effects and joins of a finished incident, keeping which messages were handled.</summary>
    Task ClearDocumentsAsync(Guid incidentId, string queue, CancellationToken cancellationToken = default);
}

/// <summary>
/// The owf_handler_step table: one row per message a handler handled for an incident, which is also that message's
/// step in the incident's timeline (the handler is the one writer of its steps). A handled message costs at most one
/// commit (fewer under load, when appends of many handlers share one) and the same bytes however many came before it.
/// </summary>
internal sealed class HandlerJournal(NpgsqlDataSource database, WorkflowClusterOptions cluster, Serializer serializer, GroupCommit commits) : IHandlerJournal
{
    public async Task<List<JournalEntry>> ReadAsync(Guid incidentId, string queue, CancellationToken cancellationToken = default)
    {
        // Only the newest entry's effects can still be waiting to go out: earlier ones went before it was handled.
        await using var command = Command("""
            SELECT seq, message_id, documents, CASE WHEN seq = max(seq) OVER () THEN outbox END, joins
              FROM owf_handler_step WHERE service_id = $1 AND incident_id = $2 AND queue = $3 ORDER BY seq
            """, incidentId, queue);
        var entries = new List<JournalEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var outbox = reader.IsDBNull(3) ? null : serializer.Deserialize<List<OutboxEntry>>(reader.GetFieldValue<byte[]>(3));
            var joins = reader.IsDBNull(4) ? [] : reader.GetFieldValue<string[]>(4).Select(JoinRecord.Deserialize).ToList();
            entries.Add(new JournalEntry(reader.GetInt32(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), outbox, joins));
        }
        return entries;
    }

    /// <summary>
    /// Appends <paramref name="entry"/> with its <paramref name="step"/>, as one unit of a transaction shared with other
    /// handlers' appends (<see cref="GroupCommit"/>); it returns once that committed. Throws
    /// <see cref="JournalConflictException"/> when the row was written by someone else first, or, with
    /// <paramref name="refuseEarlierRow"/> (the writer did not read), when the handler has a state row of an earlier
    /// version; <see cref="IncidentFinishedException"/> when the incident's end was stored first.
    /// </summary>
    public async Task AppendAsync(Guid incidentId, string queue, JournalEntry entry, HandledStep step, bool refuseEarlierRow)
    {
        // Serialized once, outside the shared transaction; the commands are built again should the group go round twice.
        var outbox = entry.Outbox is { Count: > 0 } effects ? serializer.SerializeToArray(effects) : null;
        var joins = entry.Joins.Count > 0 ? entry.Joins.Select(JoinRecord.Serialize).ToArray() : null;
        var documents = entry.Documents.ToArray();
        var sentTo = step.SentTo.ToArray();
        IEnumerable<NpgsqlBatchCommand> Commands()
        {
            // The checks are conditions of the insert itself: one statement per append.
            var append = new NpgsqlBatchCommand(refuseEarlierRow ? AppendUnread : Append);
            AddKey(append.Parameters, incidentId, queue);
            append.Parameters.Add(new NpgsqlParameter { Value = entry.Seq });
            append.Parameters.Add(new NpgsqlParameter { Value = entry.MessageId });
            append.Parameters.Add(new NpgsqlParameter { Value = documents, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            append.Parameters.Add(new NpgsqlParameter { Value = (object?)outbox ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
            append.Parameters.Add(new NpgsqlParameter { Value = (object?)joins ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            append.Parameters.Add(new NpgsqlParameter { Value = (object?)step.Originator ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            append.Parameters.Add(new NpgsqlParameter { Value = step.StartedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            append.Parameters.Add(new NpgsqlParameter { Value = step.EndedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            append.Parameters.Add(new NpgsqlParameter { Value = sentTo, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            if (refuseEarlierRow)
                AddEarlierRowKey(append.Parameters, incidentId);
            yield return append;
        }
        try
        {
            await commits.CommitAsync(Commands);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new JournalConflictException($"handler {queue} of incident {incidentId}, message {entry.MessageId}: {e.ConstraintName ?? e.MessageText}", e);
        }
        catch (PostgresException e) when (e.SqlState == IncidentFinishedException.SqlState)
        {
            throw new IncidentFinishedException(e.MessageText, e);
        }
    }

    private const string Append = """
        INSERT INTO owf_handler_step (service_id, incident_id, queue, seq, message_id, documents, outbox, joins, originator, started_at, ended_at, sent_to)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 WHERE owf_incident_open($1, $2)
        """;

    /// <summary>An append by a writer that did not read: it also fails when the handler has a state row an earlier version wrote (such a row is read, never started over).</summary>
    private const string AppendUnread = Append + " AND owf_no_earlier_handler_row($1, $13, $14, $3)";

    /// <summary>Earlier versions kept the handler's whole state in one grain state row, keyed by the incident's id as two 64-bit halves and the queue.</summary>
    private static void AddEarlierRowKey(NpgsqlParameterCollection parameters, Guid incidentId)
    {
        var key = incidentId.ToByteArray();
        parameters.Add(new NpgsqlParameter { Value = BitConverter.ToInt64(key, 0) });
        parameters.Add(new NpgsqlParameter { Value = BitConverter.ToInt64(key, 8) });
    }

    /// <summary>Forgets the effects of entry <paramref name="seq"/>: they were carried out.</summary>
    public Task ClearOutboxAsync(Guid incidentId, string queue, int seq, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE owf_handler_step SET outbox = NULL WHERE service_id = $1 AND incident_id = $2 AND queue = $3 AND seq = $4 AND outbox IS NOT NULL",
            incidentId, queue, seq, cancellationToken);

    /// <summary>Drops documents, effects and joins of a finished incident, keeping which messages were handled.</summary>
    public Task ClearDocumentsAsync(Guid incidentId, string queue, CancellationToken cancellationToken = default) =>
        ExecuteAsync("""
            UPDATE owf_handler_step SET documents = '{}', outbox = NULL, joins = NULL
             WHERE service_id = $1 AND incident_id = $2 AND queue = $3 AND (cardinality(documents) > 0 OR outbox IS NOT NULL OR joins IS NOT NULL)
            """, incidentId, queue, null, cancellationToken);

    private async Task ExecuteAsync(string text, Guid incidentId, string queue, int? seq, CancellationToken cancellationToken)
    {
        await using var command = Command(text, incidentId, queue);
        if (seq is { } number)
            command.Parameters.Add(new NpgsqlParameter { Value = number });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private NpgsqlCommand Command(string text, Guid incidentId, string queue)
    {
        var command = database.CreateCommand(text);
        AddKey(command.Parameters, incidentId, queue);
        return command;
    }

    private void AddKey(NpgsqlParameterCollection parameters, Guid incidentId, string queue)
    {
        parameters.Add(new NpgsqlParameter { Value = cluster.ServiceId });
        parameters.Add(new NpgsqlParameter { Value = incidentId });
        parameters.Add(new NpgsqlParameter { Value = queue });
    }
}
