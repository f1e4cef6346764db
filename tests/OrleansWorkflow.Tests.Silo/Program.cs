using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.Silo;
using OrleansWorkflow.Tests.FaultInjection;
using OrleansWorkflow.Tests.Silo;

// The samples' engine host as the engine's tests run it: the same host (SamplesHost, linked from the samples), plus
// the "Faults" section and the workflows of the upgrade tests, which only this test host has.
return await SamplesHost.Build(args, engine => engine.AddFaultInjection().AddStagedWorkflow().AddHandler<IUpgradeKeepHandler>(UpgradeKeepHandler.Queue))
    .RunOrleansWorkflowAsync(args);
