using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Hosting;

/// <summary>Runs an engine host the way every OrleansWorkflow host runs: settings checked first, then one command or the silo.</summary>
public static class WorkflowHostRunner
{
    /// <summary>
    /// <c>&lt;host&gt;</c> runs the silo until stopped (Ctrl+C, SIGTERM); <c>&lt;host&gt; setup-database</c> creates or
    /// updates the engine's PostgreSQL schema and exits. Bad settings are printed together, each by its configuration
    /// key (no secret shown), and end the program with exit code 2, as does an unknown command or a database without
    /// the schema.
    /// </summary>
    public static async Task<int> RunOrleansWorkflowAsync(this IHost host, string[] args, CancellationToken cancellationToken = default)
    {
        var name = AppDomain.CurrentDomain.FriendlyName;
        var command = args.FirstOrDefault(a => !a.StartsWith('-') && !a.Contains('='));
        try
        {
            // The check the host runs at start (ValidateOnStart): run here it also covers setup-database, and the
            // options it made are kept, so the start does not check them again.
            if (WorkflowSettingsCheck.ProblemsOf(host.Services) is { Count: > 0 } problems)
            {
                Console.Error.WriteLine($"{name}: {new Configuration.SettingsException(problems).Message}");
                return 2;
            }
            var storage = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
            switch (command)
            {
                case "setup-database":
                    await DatabaseSchema.ApplyAsync(storage.PostgreSql, cancellationToken);
                    Console.WriteLine($"OrleansWorkflow schema is in place in {DatabaseSchema.Describe(storage.PostgreSql)}");
                    return 0;
                case null:
                    await DatabaseSchema.VerifyAsync(storage.PostgreSql, cancellationToken);
                    if (await DatabaseSchema.PrivilegeWarningAsync(storage.PostgreSql, cancellationToken) is { } warning)
                        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansWorkflow.Storage").LogWarning("{Warning}", warning);
                    break;
                default:
                    Console.Error.WriteLine($"{name}: unknown command \"{command}\". Use no command to run the silo, or setup-database.");
                    return 2;
            }
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine($"{name}: {new Configuration.SettingsException([.. e.Failures]).Message}");
            return 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"{name}: {e.Message}");
            return 2;
        }
        try
        {
            await host.RunAsync(cancellationToken);
        }
        catch (Exception e) when (e.GetBaseException() is SiloStartRefusedException refused)
        {
            Console.Error.WriteLine($"{name}: {refused.Message}");
            return 2;
        }
        return 0;
    }
}
