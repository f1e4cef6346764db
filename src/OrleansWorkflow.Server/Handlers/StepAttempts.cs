using Npgsql;
using NpgsqlTypes;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Handlers;

/// <summary>A delivery of a message that did not complete: what the incident's timeline shows as a Failed step.</summary>
internal sealed record StepAttempt(Guid IncidentId, string Queue, string MessageId, string? Originator, DateTimeOffset StartedAt, DateTimeOffset EndedAt, string Error)
{
    /// <summary>The attempt as the incident's timeline shows it.</summary>
    public IncidentStep ToStep() => new()
    {
        Queue = Queue, MessageId = MessageId, Originator = Originator, StartedAt = StartedAt, EndedAt = EndedAt, Outcome = StepOutcome.Failed, Error = Error,
    };
}

/// <summary>Where the attempts at messages that did not complete are kept: appended by the delivery that made them, never updated.</summary>
internal interface IStepAttempts
{
    /// <summary>Stores <paramref name="attempt"/>; returns once it is stored.</summary>
    Task RecordAsync(StepAttempt attempt);
}

/// <summary>
/// The owf_step_attempt table: written by the delivery that made the attempt (the handler that threw, timed out or
/// waited for a machine; the consumer that held a message no live silo runs), appended, never updated. It shares the
/// handlers' group commit, so recording a failure costs no transaction of its own under load.
/// </summary>
internal sealed class StepAttempts(WorkflowClusterOptions cluster, GroupCommit commits) : IStepAttempts
{
    /// <summary>Stores <paramref name="attempt"/>; returns once it is committed.</summary>
    public Task RecordAsync(StepAttempt attempt) => commits.CommitAsync(() => [Insert(attempt)]);

    private NpgsqlBatchCommand Insert(StepAttempt attempt)
    {
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO owf_step_attempt (service_id, incident_id, queue, message_id, originator, started_at, ended_at, error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """);
        insert.Parameters.Add(new NpgsqlParameter { Value = cluster.ServiceId });
        insert.Parameters.Add(new NpgsqlParameter { Value = attempt.IncidentId });
        insert.Parameters.Add(new NpgsqlParameter { Value = attempt.Queue });
        insert.Parameters.Add(new NpgsqlParameter { Value = attempt.MessageId });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)attempt.Originator ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = attempt.StartedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter { Value = attempt.EndedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter { Value = attempt.Error });
        return insert;
    }
}
