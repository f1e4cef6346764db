using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Time;

/// <summary>Lists the configured schedules, asking each schedule's grain how far it has fired.</summary>
internal sealed class SchedulesGrain(IOptions<WorkflowOptions> options, [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock) : Grain, ISchedulesGrain
{
    public async Task<IReadOnlyList<ScheduleInfo>> List()
    {
        var schedules = new List<ScheduleInfo>();
        foreach (var (name, schedule) in options.Value.Schedules.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var lastDue = await GrainFactory.GetGrain<IScheduleGrain>(name).GetLastDue();
            schedules.Add(new ScheduleInfo(name, schedule.Cron, schedule.TimeZone, schedule.Kind, schedule.Missed.ToString(), lastDue,
                schedule.NextDue(lastDue is { } last && last > clock.GetUtcNow() ? last : clock.GetUtcNow())));
        }
        return schedules;
    }
}
