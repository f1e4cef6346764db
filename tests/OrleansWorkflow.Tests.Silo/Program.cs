using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.FaultInjection;
using OrleansWorkflow.Web;

// The samples' engine host as the fault tests run it: the same calls as owf-samples-silo, plus the "Faults" section.
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
    .OnDeadline(FireWorkflow.Kind, FireWorkflow.FireOverdue)
    .AddFaultInjection();

var app = builder.Build();
app.MapOrleansWorkflow();
return await app.RunOrleansWorkflowAsync(args);
