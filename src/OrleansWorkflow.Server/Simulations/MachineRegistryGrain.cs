using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Simulations;

[GenerateSerializer]
internal sealed class MachineRegistryState
{
    /// <summary>Machines whose mode an operator changed; the others are Enabled.</summary>
    [Id(0)] public Dictionary<string, MachineState> Changed { get; set; } = [];
}

internal sealed class MachineRegistryGrain(
    [PersistentState(WorkflowStorage.MachineRegistryState, WorkflowStorage.Name)] IPersistentState<MachineRegistryState> state,
    HpcMachines machines,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock,
    ILogger<MachineRegistryGrain> logger) : Grain, IMachineRegistryGrain
{
    public Task<IReadOnlyList<MachineState>> List() =>
        Task.FromResult<IReadOnlyList<MachineState>>([.. machines.Names.Order(StringComparer.Ordinal)
            .Select(machine => StateOf(machine) with { CertificateValidBefore = machines.CertificateValidBefore(machine) })]);

    public async Task<MachineState> SetMode(string machine, MachineMode mode, string reason)
    {
        machines.Require(machine);
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Use one of {string.Join(", ", Enum.GetNames<MachineMode>())}.");
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var changed = new MachineState(machine, mode, clock.GetUtcNow(), reason);
        state.State.Changed[machine] = changed;
        await state.WriteStateAsync();
        logger.LogWarning("Machine {Machine} is now {Mode}: {Reason}", machine, mode, reason);
        return changed;
    }

    public Task<MachineState> Get(string machine) => Task.FromResult(StateOf(machine));

    /// <summary>The machine's mode (asked at every submission, so its certificate file is not read here; List says until when that is valid).</summary>
    private MachineState StateOf(string machine) =>
        state.State.Changed.GetValueOrDefault(machine) ?? new MachineState(machine, MachineMode.Enabled, null, null);
}
