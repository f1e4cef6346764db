using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.Silo;
using OrleansWorkflow.Tests.FaultInjection;

// The samples' engine host as the fault tests run it: the same host (SamplesHost, linked from the samples), plus the
// "Faults" section, which only this test host binds.
return await SamplesHost.Build(args, engine => engine.AddFaultInjection()).RunOrleansWorkflowAsync(args);
