using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansWorkflow.Hosting;

/// <summary>The one way the engine reads its settings: the validated <see cref="IOptions{TOptions}"/> of the host.</summary>
internal static class OptionsLookup
{
    /// <summary>The host's <typeparamref name="TOptions"/>, bound from configuration, configured in code and validated at start.</summary>
    public static TOptions Options<TOptions>(this IServiceProvider services) where TOptions : class =>
        services.GetRequiredService<IOptions<TOptions>>().Value;
}
