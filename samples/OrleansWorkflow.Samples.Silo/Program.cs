using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.Silo;

// The samples' engine host (SamplesHost): the fire + MesoNH and A -> B workflows.
//   owf-samples-silo                 runs the silo until stopped (Ctrl+C / SIGTERM)
//   owf-samples-silo setup-database  creates or updates the PostgreSQL schema, then exits
return await SamplesHost.Build(args).RunOrleansWorkflowAsync(args);
