using System.Text.RegularExpressions;

namespace OrleansWorkflow.Simulations.Schedulers;

internal static partial class Shell
{
    /// <summary>Quotes <paramref name="text"/> as one POSIX shell word.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";

    /// <summary>Job ids come from the scheduler; still, only id-shaped ones go into a command line.</summary>
    public static string JobId(string id) =>
        JobIdShape().IsMatch(id) ? id : throw new ArgumentException($"\"{id}\" is not a job id.");

    [GeneratedRegex(@"^[A-Za-z0-9_.\-\[\]]+$")]
    private static partial Regex JobIdShape();
}
