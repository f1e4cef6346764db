using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Hosting;

/// <summary>
/// The engine's settings sections, the options way: each section is an options type bound from its configuration
/// section, then from the host's code, with a validator of its own (<see cref="IValidateOptions{TOptions}"/>) that the
/// host runs when it starts (ValidateOnStart). Every problem of every section is reported together, each by its
/// configuration key; a value that does not convert is one of them, not the end of the binding.
/// </summary>
public static class WorkflowSettingsCheck
{
    /// <summary>
    /// Binds configuration section <paramref name="section"/> onto <typeparamref name="TSettings"/>, then applies
    /// <paramref name="configure"/> (settings a host gives in code), and checks the result when the host starts.
    /// </summary>
    public static OptionsBuilder<TSettings> AddSettings<TSettings>(this IWorkflowBuilder workflow, string section, Action<TSettings>? configure = null)
        where TSettings : class, IValidatedOptions, new()
    {
        var services = workflow.Services;
        var options = services.AddOptions<TSettings>();
        if (!services.Any(s => s.ImplementationInstance is SettingsSection { Type: var type } && type == typeof(TSettings)))
        {
            services.AddSingleton(new SettingsSection(typeof(TSettings)));
            options.Configure<IConfiguration>((settings, configuration) => SettingsBinding.Bind(configuration.GetSection(section), settings));
            services.AddSingleton<IValidateOptions<TSettings>>(sp => new SettingsValidator<TSettings>(sp.GetRequiredService<IConfiguration>().GetSection(section)));
            options.ValidateOnStart();
        }
        if (configure is not null)
            options.Configure(configure);
        return options;
    }

    /// <summary>
    /// Reads <paramref name="section"/> as the host has it now (its configuration, then its code), for decisions taken
    /// while the host is built; bad values are reported at start.
    /// </summary>
    public static TSettings Peek<TSettings>(this IWorkflowBuilder workflow, string section) where TSettings : class, new()
    {
        var settings = new TSettings();
        SettingsBinding.Bind(workflow.Configuration.GetSection(section), settings);
        foreach (var code in workflow.Services.Select(s => s.ImplementationInstance).OfType<ConfigureNamedOptions<TSettings>>().Where(c => c.Name == Options.DefaultName))
            code.Action?.Invoke(settings);
        return settings;
    }

    /// <summary>Every problem of every section the host checks at start; empty when the engine can start.</summary>
    internal static IReadOnlyList<string> ProblemsOf(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            return [.. e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures)];
        }
    }

    /// <summary>Marks a section as added (the engine's required concerns look for them).</summary>
    internal sealed record SettingsSection(Type Type);

    /// <summary>One section's check: the values that did not convert, then what its options type says of itself.</summary>
    private sealed class SettingsValidator<TSettings>(IConfigurationSection section) : IValidateOptions<TSettings>
        where TSettings : class, IValidatedOptions, new()
    {
        public ValidateOptionsResult Validate(string? name, TSettings options)
        {
            var problems = SettingsBinding.Bind(section, new TSettings()).Concat(options.Problems()).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
