using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Time;

/// <summary>One schedule (keyed by its name, Workflow:Schedules:&lt;name&gt;): the engine's only writer of its fires.</summary>
[Access.EngineOnly]
internal interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Makes sure the schedule's reminder runs; a schedule first armed counts from now (no earlier due time fires).</summary>
    Task Arm();

    /// <summary>The last due time fired or skipped; null before the first.</summary>
    Task<DateTimeOffset?> GetLastDue();
}

[GenerateSerializer]
internal sealed class ScheduleState
{
    /// <summary>The last due time the schedule fired or skipped: due times up to it are done.</summary>
    [Id(0)] public DateTimeOffset? LastDue { get; set; }
}

/// <summary>
/// Fires a schedule: woken by a durable reminder (one activation in the cluster, moved to another silo when its own
/// dies), it creates one incident per due time, its IncidentID derived from the schedule and the due time, so a fire
/// repeated after a crash creates nothing new; then it records the due time. Due times it missed are fired once, or
/// skipped, as the schedule says.
/// </summary>
internal sealed class ScheduleGrain(
    [PersistentState(WorkflowStorage.ScheduleState, WorkflowStorage.Name)] IPersistentState<ScheduleState> state,
    IOptionsMonitor<WorkflowOptions> options,
    IMessagePublisher publisher,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock,
    ILogger<ScheduleGrain> logger) : Grain, IScheduleGrain, IRemindable
{
    /// <summary>The reminder's name.</summary>
    public const string Tick = "tick";

    private string Name => this.GetPrimaryKeyString();

    private ScheduleOptions? Schedule => options.CurrentValue.Schedules.GetValueOrDefault(Name);

    public async Task Arm()
    {
        if (Schedule is not { } schedule)
            return;
        if (state.State.LastDue is null)
        {
            state.State.LastDue = clock.GetUtcNow();
            await state.WriteStateAsync();
            logger.LogInformation("Schedule {Schedule} armed: {Cron} ({TimeZone}), next at {Next:O}", Name, schedule.Cron, schedule.TimeZone, schedule.NextDue(state.State.LastDue.Value));
        }
        await RemindAsync(schedule);
    }

    public Task<DateTimeOffset?> GetLastDue() => Task.FromResult(state.State.LastDue);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Schedule is not { } schedule)
        {
            logger.LogWarning("Schedule {Schedule} is no longer configured (Workflow:Schedules:{Schedule}); its reminder is removed", Name, Name);
            if (await this.GetReminder(Tick) is { } reminder)
                await this.UnregisterReminder(reminder);
            return;
        }
        var now = clock.GetUtcNow();
        var due = schedule.DueTimes(state.State.LastDue ?? now, now).ToList();
        if (due.Count == 0)
            return;
        var latest = due[^1];
        var missed = due.Count(d => now - d > schedule.Grace);
        if (now - latest <= schedule.Grace || schedule.Missed == MissedFires.RunOnce)
            await FireAsync(schedule, latest);
        if (missed > 0)
            logger.LogWarning("Schedule {Schedule} missed {Missed} due time(s) up to {Latest:O} (no silo ran it then); {Policy}", Name, missed, latest,
                schedule.Missed == MissedFires.RunOnce ? "the latest was fired once" : "they were skipped (Missed=Skip)");
        state.State.LastDue = latest;
        await state.WriteStateAsync();
    }

    /// <summary>Creates the due time's incident and sends its first message, both under ids derived from the due time.</summary>
    private async Task FireAsync(ScheduleOptions schedule, DateTimeOffset due)
    {
        var key = $"schedule {Name} {due:O}";
        var incidentId = Guid.Parse(MessageIds.Derive(key, "incident", 0));
        var name = schedule.IncidentName.Length > 0 ? schedule.IncidentName : $"{Name} {due:yyyy-MM-dd HH:mm:ss}Z";
        await GrainFactory.GetGrain<IIncidentGrain>(incidentId).Create(name, schedule.Kind, due, new IncidentTerms { Urgency = schedule.Urgency });
        if (schedule.Queue.Length > 0)
        {
            var message = schedule.MessageObject();
            message[WireContract.IncidentIdKey] = incidentId.ToString();
            var messageId = MessageIds.Derive(key, "message", 0);
            var body = WireMessage.Stamp(message, messageId, Originator);
            await publisher.PublishAsync(new OutgoingMessage(WireContract.QueueFor(schedule.Queue, schedule.Urgency), Encoding.UTF8.GetBytes(body), messageId, IncidentId: incidentId));
        }
        logger.LogInformation("Schedule {Schedule} fired for {Due:O}: incident {IncidentId} of kind {Kind}", Name, due, incidentId, schedule.Kind);
    }

    /// <summary>The originator of a schedule's messages.</summary>
    public const string Originator = "schedule";

    /// <summary>A reminder every minute (a shorter cron, with seconds, ticks at its own period): due times are fired at the first tick after them.</summary>
    private async Task RemindAsync(ScheduleOptions schedule)
    {
        var now = clock.GetUtcNow();
        var next = schedule.NextDue(now) ?? now.AddMinutes(1);
        var following = schedule.NextDue(next) ?? next.AddMinutes(1);
        var period = TimeSpan.FromTicks(Math.Clamp((following - next).Ticks, TimerSettings.RetryPeriod.Ticks, TimeSpan.FromMinutes(1).Ticks));
        var wait = next - now;
        await this.RegisterOrUpdateReminder(Tick, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, period);
    }
}

/// <summary>At the silo's start, arms every configured schedule (each armed once across the cluster, by its grain).</summary>
internal sealed class ScheduleArming(IGrainFactory grains, IOptions<WorkflowOptions> options, ILogger<ScheduleArming> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ScheduleArming), ServiceLifecycleStage.Active, ArmAsync);

    private async Task ArmAsync(CancellationToken cancellationToken)
    {
        foreach (var name in options.Value.Schedules.Keys)
        {
            try
            {
                await grains.GetGrain<IScheduleGrain>(name).Arm();
            }
            catch (Exception e)
            {
                // Another silo arms it too; a schedule not armed now is armed at the next silo's start.
                logger.LogWarning(e, "Schedule {Schedule} could not be armed on this silo's start", name);
            }
        }
    }
}
