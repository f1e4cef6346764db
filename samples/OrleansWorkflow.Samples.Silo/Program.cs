using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Web;

// The samples' engine host: the fire + MesoNH and A -> B workflows, on the same calls every workflow host makes.
//   owf-samples-silo                 runs the silo until stopped (Ctrl+C / SIGTERM)
//   owf-samples-silo setup-database  creates or updates the PostgreSQL schema, then exits
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddEnvironmentVariables("OWF_");
builder.Services.AddOptions<FireSettings>().BindConfiguration("Fire");
builder.AddOrleansWorkflow()
    .AddPostgreSqlStorage()
    .AddClusterMembership()
    .AddRabbitMq()
    .AddHpcMachines()
    .AddTelemetry()
    .AddWeb()
    .AddHandlersFrom(typeof(FireWorkflow).Assembly)
    .OnDeadline(FireWorkflow.Kind, FireWorkflow.FireOverdue);

var app = builder.Build();
app.MapOrleansWorkflow();
return await app.RunOrleansWorkflowAsync(args);
