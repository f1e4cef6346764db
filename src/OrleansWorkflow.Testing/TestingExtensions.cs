using Microsoft.Extensions.DependencyInjection;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Testing.Engine;

namespace OrleansWorkflow.Testing;

/// <summary>What a test host adds to the engine it starts (<see cref="WorkflowTestEnvironment.StartAsync"/>).</summary>
public static class TestingExtensions
{
    /// <summary>
    /// A fake HPC machine named <paramref name="name"/> (a Slurm machine unless <paramref name="configure"/> says
    /// otherwise): handlers submit to it by that name, and the test scripts its jobs through
    /// <see cref="WorkflowTestEnvironment.Machine"/>.
    /// </summary>
    public static IWorkflowBuilder AddFakeMachine(this IWorkflowBuilder workflow, string name, Action<MachineOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var machines = workflow.Services.Select(s => s.ImplementationInstance).OfType<FakeMachines>().Distinct().SingleOrDefault()
            ?? throw new InvalidOperationException("AddFakeMachine adds to the engine of a WorkflowTestEnvironment; call it in the delegate given to StartAsync.");
        machines.Add(name);
        workflow.Services.Configure<HpcOptions>(hpc =>
        {
            var machine = new MachineOptions { Host = "fake", User = "fake", BaseDirectory = $"/fake/{name}" };
            configure?.Invoke(machine);
            hpc.Machines[name] = machine;
        });
        return workflow;
    }
}
