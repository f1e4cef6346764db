using OrleansWorkflow.Hosting;
using OrleansWorkflow.Web;
using OwfWorkflow.Handlers;

// dotnet run                   runs the silo until Ctrl+C
// dotnet run -- setup-database creates or updates the engine's schema in Storage:PostgreSql, then exits
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddEnvironmentVariables("OWF_");
builder.AddOrleansWorkflow()
    .AddPostgreSqlStorage()
    .AddClusterMembership()
    .AddRabbitMq()
    .AddWeb()
    .AddHandlersFrom(typeof(Workflow).Assembly);

var app = builder.Build();
app.MapOrleansWorkflow();
return await app.RunOrleansWorkflowAsync(args);
