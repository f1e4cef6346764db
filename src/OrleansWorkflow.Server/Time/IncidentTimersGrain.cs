using Microsoft.Extensions.DependencyInjection;
using System.Text;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Wire;
using System.Text.Json.Nodes;

namespace OrleansWorkflow.Time;

/// <summary>
/// Keeps an incident's sends for later and its deadline, and wakes at the earliest of them through one durable reminder.
/// A due send is published before it is taken out of storage, so a crash in between publishes it again under the same
/// message id, which the receiving handler knows as a duplicate: it arrives once.
/// </summary>
internal sealed class IncidentTimersGrain(
    [PersistentState(WorkflowStorage.IncidentTimersState, WorkflowStorage.Name)] IPersistentState<IncidentTimersState> state,
    IMessagePublisher publisher,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock,
    ILogger<IncidentTimersGrain> logger) : Grain, IIncidentTimersGrain, IRemindable
{
    private const string DueReminder = "due";

    private Guid IncidentId => this.GetPrimaryKey();
    private IncidentTimersState Timers => state.State;

    public async Task Schedule(IReadOnlyList<ScheduledSend> sends)
    {
        if (Timers.Stopped)
        {
            logger.LogInformation("Incident {IncidentId} is finished: {Count} send(s) for later dropped", IncidentId, sends.Count);
            return;
        }
        var added = sends.Where(s => !Timers.Sent.Contains(s.MessageId) && Timers.Pending.All(p => p.MessageId != s.MessageId)).ToList();
        if (added.Count == 0)
        {
            // A repeat (the handler's effects carried out again after a crash): the crash may have come between the
            // stored sends and their reminder, so the reminder is set again.
            await ArmAsync();
            return;
        }
        var first = Timers.Pending.Count == 0;
        Timers.Pending.AddRange(added);
        Timers.Pending.Sort((a, b) => a.DueAt.CompareTo(b.DueAt));
        await state.WriteStateAsync();
        if (first)
            await Incident.TimersStarted();
        await ArmAsync();
        foreach (var send in added)
            logger.LogInformation("Incident {IncidentId}: message {MessageId} to {Queue} is due at {DueAt:O}", IncidentId, send.MessageId, send.Queue, send.DueAt);
    }

    public async Task Unschedule(IReadOnlyList<string> messageIds)
    {
        if (Timers.Pending.RemoveAll(p => messageIds.Contains(p.MessageId)) == 0)
            return;
        await state.WriteStateAsync();
        await ArmAsync();
    }

    public async Task SetDeadline(DateTimeOffset deadline)
    {
        // Called by the incident itself, which knows it has timers now (and is inside its call: no call back to it).
        if (Timers.Stopped)
            return;
        if (Timers.Deadline == deadline)
        {
            await ArmAsync(); // as for a repeated Schedule: the reminder may not have been set before a crash
            return;
        }
        Timers.Deadline = deadline;
        await state.WriteStateAsync();
        await ArmAsync();
    }

    public async Task Stop()
    {
        if (Timers.Stopped)
            return;
        if (Timers.Pending.Count > 0)
            logger.LogInformation("Incident {IncidentId} finished: {Count} send(s) for later cancelled", IncidentId, Timers.Pending.Count);
        state.State = new IncidentTimersState { Stopped = true };
        await state.WriteStateAsync();
        await ArmAsync();
        DeactivateOnIdle();
    }

    public async Task Forget()
    {
        await Stop();
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    public Task<IReadOnlyList<ScheduledSend>> GetPending() => Task.FromResult<IReadOnlyList<ScheduledSend>>([.. Timers.Pending]);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // A tick of a finished incident's clock (its Stop call was lost in a crash) sends nothing.
        if ((await GrainFactory.GetGrain<IIncidentGrain>(IncidentId).GetInfo())?.Status.IsFinished() ?? true)
        {
            await Stop();
            return;
        }
        var now = clock.GetUtcNow();
        var due = Timers.Pending.TakeWhile(p => p.DueAt <= now).ToList();
        if (due.Count > 0)
        {
            await publisher.PublishAllAsync(due.Select(s => new OutgoingMessage(s.Queue, Encoding.UTF8.GetBytes(s.Body), s.MessageId, IncidentId: IncidentId)));
            Timers.Pending.RemoveRange(0, due.Count);
            Timers.Sent.UnionWith(due.Select(s => s.MessageId));
            await state.WriteStateAsync();
            foreach (var send in due)
                logger.LogInformation("Incident {IncidentId}: message {MessageId} sent to {Queue}, due at {DueAt:O}", IncidentId, send.MessageId, send.Queue, send.DueAt);
        }
        if (Timers.Deadline is { } deadline && deadline <= now)
        {
            if (await Incident.DeadlinePassed(deadline) is { } queue)
                await publisher.PublishAsync(DeadlineMessage(queue, deadline));
            Timers.Deadline = null;
            await state.WriteStateAsync();
        }
        await ArmAsync();
    }

    /// <summary>The message a passed deadline sends; always the same id, so a repeat after a crash arrives once.</summary>
    private OutgoingMessage DeadlineMessage(string queue, DateTimeOffset deadline)
    {
        var messageId = MessageIds.Derive(IncidentId.ToString(), "deadline", 0);
        var body = WireMessage.Stamp(new JsonObject
        {
            [WireContract.IncidentIdKey] = IncidentId.ToString(),
            ["deadline"] = deadline.ToString("O"),
        }, messageId, originator: DeadlineOriginator);
        return new OutgoingMessage(queue, Encoding.UTF8.GetBytes(body), messageId, IncidentId: IncidentId);
    }

    /// <summary>The originator of deadline messages.</summary>
    public const string DeadlineOriginator = "deadline";

    private IIncidentBookkeeping Incident => GrainFactory.GetGrain<IIncidentBookkeeping>(IncidentId);

    /// <summary>Sets the reminder to the earliest due time, or removes it when nothing waits.</summary>
    private async Task ArmAsync()
    {
        var next = Timers.Pending.Select(p => (DateTimeOffset?)p.DueAt).FirstOrDefault();
        if (Timers.Deadline is { } deadline && (next is null || deadline < next))
            next = deadline;
        if (next is { } at)
        {
            // The period only matters when a tick is missed (the silo was down at the due time): it is retried that soon.
            var wait = at - clock.GetUtcNow();
            await this.RegisterOrUpdateReminder(DueReminder, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, TimerSettings.RetryPeriod);
        }
        else if (await this.GetReminder(DueReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
