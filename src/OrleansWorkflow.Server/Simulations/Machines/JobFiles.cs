namespace OrleansWorkflow.Simulations.Machines;

/// <summary>Names of files inside a job's working directory, as handlers give them.</summary>
internal static class JobFiles
{
    /// <summary>Throws unless <paramref name="fileName"/> is a relative path that stays inside the directory (no "..", no "/" first).</summary>
    public static void ThrowIfNotInside(string fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName) || fileName.StartsWith('/') || fileName.Contains('\0')
            || fileName.Split('/').Any(part => part is ".." or ""))
            throw new ArgumentException($"\"{fileName}\" is not a file name inside the simulation's working directory; give a relative path like \"output.dat\" or \"results/fire.csv\", without \"..\".", nameof(fileName));
    }
}
