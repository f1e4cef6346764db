using System.Collections.Concurrent;
using OrleansWorkflow.Simulations.Machines;

namespace OrleansWorkflow.Testing.Engine;

/// <summary>The fake machines of a test host, driving the engine's machines of the same names.</summary>
internal sealed class FakeMachines : IMachineDrivers
{
    private readonly ConcurrentDictionary<string, FakeMachine> _machines = new(StringComparer.Ordinal);

    public FakeMachine Add(string name) => _machines.GetOrAdd(name, n => new FakeMachine(n));

    public IEnumerable<string> Names => _machines.Keys;

    public FakeMachine Get(string name) =>
        _machines.TryGetValue(name, out var machine) ? machine
        : throw new ArgumentException($"This test host has no fake machine \"{name}\"; add it with AddFakeMachine(\"{name}\") when starting it.", nameof(name));

    public IMachineDriver Open(string name, MachineOptions options) => Get(name).Driver(options);
}
