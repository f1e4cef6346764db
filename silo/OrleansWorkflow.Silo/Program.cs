using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Storage;

// owf-silo                 runs the engine until stopped (Ctrl+C / SIGTERM)
// owf-silo setup-database  creates or updates the PostgreSQL schema, then exits
// Configuration: appsettings.json, then environment variables prefixed OWF_ (e.g. OWF_RabbitMQ__Uri).

var builder = Host.CreateApplicationBuilder();
builder.Configuration.AddEnvironmentVariables("OWF_");
var settings = WorkflowSettings.From(builder.Configuration);

try
{
    settings.Validate();
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

builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss.fff ";
    console.UseUtcTimestamp = true;
});
builder.Services.AddSingleton(new FireSettings
{
    WorkTime = builder.Configuration.GetValue("Fire:WorkTime", FireSettings.Default.WorkTime),
    Machine = builder.Configuration.GetValue<string?>("Fire:Machine"),
});
builder.UseOrleans(silo => silo.AddOrleansWorkflow(settings, handlers => handlers.AddABWorkflow().AddFireWorkflow()));
await builder.Build().RunAsync();
return 0;
