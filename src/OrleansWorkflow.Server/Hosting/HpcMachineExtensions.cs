using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Health;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Hosting;

/// <summary>Adds the engine's HPC machines to an <see cref="IWorkflowBuilder"/>.</summary>
public static class HpcMachineExtensions
{
    /// <summary>
    /// The HPC machines handlers may submit simulations to (configuration section "Hpc:Machines:&lt;name&gt;"), reached
    /// over SSH with key authentication and a pinned host key, polled by reminders. Each machine's last poll is part of /readyz.
    /// </summary>
    /// <param name="workflow">The engine being built.</param>
    /// <param name="configure">Settings given in code, applied after the configuration section.</param>
    public static IWorkflowBuilder AddHpcMachines(this IWorkflowBuilder workflow, Action<HpcOptions>? configure = null)
    {
        workflow.AddSettings<HpcOptions>(HpcOptions.Section, configure);
        // Machine pollers are woken by reminders every PollPeriod; Orleans refuses periods under its minimum.
        workflow.Services.AddOptions<ReminderOptions>().Configure<IOptions<HpcOptions>>((reminders, hpc) =>
            reminders.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(reminders.MinimumReminderPeriod.Ticks, hpc.Value.ShortestPollPeriod.Ticks)));
        workflow.Services.AddHealthChecks().AddCheck<MachinesHealthCheck>("hpc-machines", tags: [WorkflowHealth.Ready]);
        return workflow;
    }
}
