namespace OrleansWorkflow.Configuration;

/// <summary>Settings that can say everything wrong with them, each problem naming its configuration key and the fix.</summary>
public interface IValidatedOptions
{
    /// <summary>Every problem of these settings; empty when they are usable.</summary>
    IEnumerable<string> Problems();
}

/// <summary>One error for many bad settings.</summary>
public sealed class SettingsException(IReadOnlyList<string> problems)
    : ArgumentException(problems.Count == 1
        ? $"The configuration is not valid: {problems[0]}"
        : $"The configuration has {problems.Count} problems:{string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"))}")
{
    /// <summary>Every problem found, each naming its configuration key.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;

    /// <summary>Throws when <paramref name="settings"/> have any problem.</summary>
    public static void ThrowIfInvalid(IValidatedOptions settings)
    {
        var problems = settings.Problems().ToList();
        if (problems.Count > 0)
            throw new SettingsException(problems);
    }
}
