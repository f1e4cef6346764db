using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Web;

// owf-silo                 runs the engine until stopped (Ctrl+C / SIGTERM), with its web view on Urls
// owf-silo setup-database  creates or updates the PostgreSQL schema, then exits
// Configuration: appsettings.json, then environment variables prefixed OWF_ (e.g. OWF_RabbitMQ__Uri).
// This host knows no workflow: a workflow's host adds its handlers to the same calls (see samples/ and the template).

// Web:Enabled = false runs the engine on the generic host, with no web server at all.
var web = new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables("OWF_").Build()
    .GetValue("Web:Enabled", true);

IHostApplicationBuilder builder = web
    ? WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory })
    : Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddEnvironmentVariables("OWF_");
var engine = builder.AddOrleansWorkflow()
    .AddPostgreSqlStorage()
    .AddClusterMembership()
    .AddRabbitMq()
    .AddHpcMachines()
    .AddTelemetry();
if (!web)
    return await ((HostApplicationBuilder)builder).Build().RunOrleansWorkflowAsync(args);

engine.AddWeb();
var app = ((WebApplicationBuilder)builder).Build();
app.MapOrleansWorkflow();
return await app.RunOrleansWorkflowAsync(args);
