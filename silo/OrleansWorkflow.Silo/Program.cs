using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Silo;
using OrleansWorkflow.Storage;
using OrleansWorkflow.Web;

// owf-silo                 runs the engine until stopped (Ctrl+C / SIGTERM), with its web view on Web:Url
// owf-silo setup-database  creates or updates the PostgreSQL schema, then exits
// Configuration: appsettings.json, then environment variables prefixed OWF_ (e.g. OWF_RabbitMQ__Uri).

var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables("OWF_")
    .Build();
var settings = WorkflowSettings.From(configuration);
var web = configuration.GetSection(WebOptions.Section).Get<WebOptions>() ?? new WebOptions();
Uri? collector = null;

try
{
    settings.Validate();
    web.Validate();
    collector = TelemetryExport.CollectorOf(configuration);
    if (args.FirstOrDefault() == "setup-database")
    {
        await DatabaseSchema.ApplyAsync(settings.Storage.PostgreSql);
        Console.WriteLine($"OrleansWorkflow schema is in place in {DatabaseSchema.Describe(settings.Storage.PostgreSql)}");
        return 0;
    }

    if (args.Length > 0)
    {
        Console.Error.WriteLine($"Unknown command \"{args[0]}\". Use no argument to run the silo, or setup-database.");
        return 2;
    }

    await DatabaseSchema.VerifyAsync(settings.Storage.PostgreSql);
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException)
{
    Console.Error.WriteLine($"owf-silo: {e.Message}");
    return 2;
}

if (!web.Enabled)
{
    var engine = Host.CreateApplicationBuilder();
    ConfigureEngine(engine);
    using var host = engine.Build();
    await host.StartAsync();
    Started(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("owf-silo"));
    await host.WaitForShutdownAsync();
    return 0;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
ConfigureEngine(builder);
builder.AddWorkflowWeb(web);
var app = builder.Build();
app.MapWorkflowWeb();
await app.StartAsync();
Started(app.Logger);
app.Logger.LogInformation("Incident pages on {Url}/incidents, the dashboard on {Url}/dashboard/, the HTTP API on {Url}/api/incidents", web.Url, web.Url, web.Url);
await app.WaitForShutdownAsync();
return 0;

void Started(ILogger logger)
{
    if (collector is not null)
        logger.LogInformation("Exporting traces and metrics with OTLP to {Collector}", collector);
}

void ConfigureEngine(IHostApplicationBuilder host)
{
    host.Configuration.AddConfiguration(configuration);
    host.Logging.ClearProviders();
    host.Logging.AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "HH:mm:ss.fff ";
        console.UseUtcTimestamp = true;
    });
    host.Services.AddSingleton(new FireSettings
    {
        WorkTime = configuration.GetValue("Fire:WorkTime", FireSettings.Default.WorkTime),
        Machine = configuration.GetValue<string?>("Fire:Machine"),
    });
    host.AddWorkflowTelemetry(collector);
    host.UseOrleans(silo => silo
        .AddOrleansWorkflow(settings, handlers => handlers.AddABWorkflow().AddFireWorkflow())
        .AddActivityPropagation()
        .AddWorkflowDashboard(web));
}
