namespace OrleansWorkflow.Simulations;

/// <summary>
/// The cluster's HPC machines and their modes (one grain, key 0). Operators change a machine's mode while silos run;
/// a simulation is submitted only to a machine that takes it (<see cref="MachineState.Takes"/>).
/// </summary>
public interface IMachineRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Every configured machine with its mode, by name.</summary>
    Task<IReadOnlyList<MachineState>> List();

    /// <summary>Sets <paramref name="machine"/>'s mode; throws naming the configured machines when it is none of them.</summary>
    Task<MachineState> SetMode(string machine, MachineMode mode, string reason);

    /// <summary>One machine's mode (Enabled unless an operator changed it).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<MachineState> Get(string machine);
}
