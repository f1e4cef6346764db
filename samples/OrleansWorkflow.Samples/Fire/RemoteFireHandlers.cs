using System.Text.Json.Nodes;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Samples.Fire;

// The HPC path of the fire sample: the original submitted a dummy job to ARCHER and polled qstat for its end.

[HandlesQueue(FireWorkflow.FireSubmitJob)] public interface IFireSubmitJobHandler : IWorkflowHandler;
[HandlesQueue(FireWorkflow.RemoteFireResults)] public interface IRemoteFireResultsHandler : IWorkflowHandler;

public sealed class FireSubmitJobHandler : SampleHandler, IFireSubmitJobHandler
{
    /// <summary>The original's dummy simulation: it writes the results the workflow then reads back.</summary>
    public const string DummyJob = """
        #!/bin/bash
        cd "${PBS_O_WORKDIR:-.}"
        sleep 2
        echo "lots of fire - simulated remotely!" > output.dat
        """;

    protected override Task RunAsync(JsonObject message, IHandlerContext context)
    {
        Say("In fire submit job handler");
        var machine = Settings.Machine ?? throw new InvalidOperationException(
            "The remote fire simulation needs an HPC machine: set Fire:Machine to a machine configured under Hpc:Machines.");
        var simulationId = context.Simulations.Submit(new SimulationRequest
        {
            Machine = machine,
            // A drill of the failure path: "drill_exit_code" makes the job end with that code.
            Script = message["drill_exit_code"]?.GetValue<int>() is int code ? $"{DummyJob}\nexit {code}\n" : DummyJob,
            NotifyQueue = FireWorkflow.RemoteFireResults,
            TimeLimit = TimeSpan.FromMinutes(5),
        });
        Say($"Submitting remote simulation {simulationId} to machine {machine}");
        return Task.CompletedTask;
    }
}

public sealed class RemoteFireResultsHandler : SampleHandler, IRemoteFireResultsHandler
{
    protected override async Task RunAsync(JsonObject message, IHandlerContext context)
    {
        var simulation = SimulationEnd.From(message);
        if (simulation.Status != SimulationStatus.Completed)
        {
            Say($"Remote simulation {simulation.SimulationId} ended {simulation.Status.ToWire()} (exit code {simulation.ExitCode?.ToString() ?? "none"}): {simulation.Detail}");
            context.Cancel($"the remote fire simulation (job {simulation.JobId} on {simulation.Machine}) ended {simulation.Status.ToWire()}");
            return;
        }

        var results = await context.Simulations.ReadFileAsync(simulation, "output.dat");
        Say("Remote simulation results available!");
        Say($"Connecting to {simulation.Machine}");
        Say("Simulation results are:");
        Say(new string('-', 80));
        Say(results.TrimEnd());
        Say(new string('-', 80));
        context.Complete();
    }
}
