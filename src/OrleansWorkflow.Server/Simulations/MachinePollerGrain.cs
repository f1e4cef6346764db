using OrleansWorkflow.Telemetry;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Simulations;

[GenerateSerializer]
internal sealed class MachinePollerState
{
    /// <summary>The machine's simulations that have not ended, or whose end the workflow has not been told yet.</summary>
    [Id(0)] public List<Guid> Simulations { get; set; } = [];
}

/// <summary>
/// Polls one machine. The reminder survives silo restarts, so simulations recorded before a crash are submitted
/// (or adopted) and followed to their end afterwards. One SSH command per poll asks about all of the machine's jobs.
/// </summary>
internal sealed class MachinePollerGrain(
    [PersistentState(WorkflowStorage.MachinePollerState, WorkflowStorage.Name)] IPersistentState<MachinePollerState> state,
    HpcMachines machines,
    ILogger<MachinePollerGrain> logger) : Grain, IMachinePollerGrain, IRemindable
{
    private const string PollReminder = "poll";
    private string MachineName => this.GetPrimaryKeyString();

    public async Task Track(Guid simulationId, Guid incidentId, SimulationRequest request, Guid? raceId = null)
    {
        if (state.State.Simulations.Contains(simulationId))
            return;
        await GrainFactory.GetGrain<ISimulationGrain>(simulationId).Create(incidentId, request, raceId);
        state.State.Simulations.Add(simulationId);
        await state.WriteStateAsync();

        var period = machines.Get(MachineName).Options.PollPeriod;
        await this.RegisterOrUpdateReminder(PollReminder, period, period);
        // Submit now rather than at the next reminder tick.
        this.RegisterGrainTimer(PollAsync, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    public Task<IReadOnlyList<Guid>> GetTracked() => Task.FromResult<IReadOnlyList<Guid>>([.. state.State.Simulations]);

    public Task ReceiveReminder(string reminderName, TickStatus status) => PollAsync();

    private async Task PollAsync()
    {
        if (state.State.Simulations.Count == 0)
        {
            WorkflowMetrics.SimulationsRunning(MachineName, 0);
            await StopRemindingAsync();
            return;
        }

        var machine = machines.Get(MachineName);
        var active = new Dictionary<Guid, SimulationInfo>();
        foreach (var id in state.State.Simulations.ToList())
        {
            try
            {
                active[id] = await GrainFactory.GetGrain<ISimulationGrain>(id).EnsureSubmitted();
            }
            catch (Exception e)
            {
                logger.LogWarning("Machine {Machine}: simulation {SimulationId} not submitted yet, retrying next poll: {Error}", MachineName, id, e.Message);
            }
        }

        var jobs = active.Values.Where(s => !s.Status.IsFinished() && s.JobId is not null).ToList();
        var observed = await machine.QueryAsync(jobs.DistinctBy(s => s.JobId).ToDictionary(s => s.JobId!, s => s.WorkingDirectory), CancellationToken.None);
        foreach (var job in jobs)
        {
            try
            {
                active[job.SimulationId] = await GrainFactory.GetGrain<ISimulationGrain>(job.SimulationId).Observe(observed[job.JobId!]);
            }
            catch (Exception e)
            {
                active.Remove(job.SimulationId);
                logger.LogWarning("Machine {Machine}: simulation {SimulationId} could not take this poll's answer, retrying next poll: {Error}", MachineName, job.SimulationId, e.Message);
            }
        }

        var ended = active.Values.Where(s => s.Status.IsFinished()).Select(s => s.SimulationId).ToHashSet();
        WorkflowMetrics.SimulationsRunning(MachineName, state.State.Simulations.Count(id => !ended.Contains(id)));
        // An ended simulation stays until a poll finds its end told (EnsureSubmitted/Observe tell it first).
        if (state.State.Simulations.RemoveAll(ended.Contains) > 0)
        {
            await state.WriteStateAsync();
            if (state.State.Simulations.Count == 0)
                await StopRemindingAsync();
        }
    }

    private async Task StopRemindingAsync()
    {
        if (await this.GetReminder(PollReminder) is { } reminder)
            await this.UnregisterReminder(reminder);
    }
}
