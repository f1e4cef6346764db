using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Hosting;

/// <summary>
/// Every settings section the engine binds, checked together when the host starts: one error lists every bad setting
/// by its configuration key, whichever sections they are in.
/// </summary>
public static class WorkflowSettingsCheck
{
    /// <summary>
    /// Binds configuration section <paramref name="section"/> onto <typeparamref name="TSettings"/> (the options pattern)
    /// and adds its problems to the engine's start-up check.
    /// </summary>
    public static OptionsBuilder<TSettings> AddSettings<TSettings>(this IWorkflowBuilder workflow, string section)
        where TSettings : class, IValidatedSettings, new()
    {
        var services = workflow.Services;
        if (!services.Any(s => s.ServiceType == typeof(SettingsSection) && s.ImplementationInstance is SettingsSection { Type: var type } && type == typeof(TSettings)))
        {
            services.AddSingleton(new SettingsSection(typeof(TSettings), provider =>
            {
                var unbound = SettingsBinder.Bind(provider.GetRequiredService<IConfiguration>().GetSection(section), new TSettings());
                return unbound.Concat(provider.GetRequiredService<IOptions<TSettings>>().Value.Problems());
            }));
            services.AddOptions<TSettings>().Configure<IConfiguration>((settings, configuration) => SettingsBinder.Bind(configuration.GetSection(section), settings));
            services.AddOptions<Check>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Check>, Validator>());
        }
        return services.AddOptions<TSettings>();
    }

    /// <summary>Reads <paramref name="section"/> as the host has it now, for decisions taken while the host is built (bad values are reported at start).</summary>
    public static TSettings Peek<TSettings>(this IWorkflowBuilder workflow, string section) where TSettings : class, new()
    {
        var settings = new TSettings();
        SettingsBinder.Bind(workflow.Configuration.GetSection(section), settings);
        return settings;
    }

    /// <summary>Every problem of every bound section; empty when the engine can start.</summary>
    public static IReadOnlyList<string> ProblemsOf(IServiceProvider services) =>
        [.. services.GetServices<SettingsSection>().SelectMany(s => s.Problems(services))];

    internal sealed record SettingsSection(Type Type, Func<IServiceProvider, IEnumerable<string>> Problems);

    /// <summary>The options type the start-up check hangs on; it carries nothing.</summary>
    internal sealed class Check;

    private sealed class Validator(IServiceProvider services) : IValidateOptions<Check>
    {
        public ValidateOptionsResult Validate(string? name, Check options)
        {
            var problems = ProblemsOf(services);
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
