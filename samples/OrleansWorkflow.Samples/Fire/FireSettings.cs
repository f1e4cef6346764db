namespace OrleansWorkflow.Samples.Fire;

/// <summary>How the fire sample's handlers behave. Bound from the "Fire" configuration section (services.AddOptions&lt;FireSettings&gt;().BindConfiguration("Fire")).</summary>
public sealed class FireSettings
{
    public static readonly FireSettings Default = new();

    /// <summary>How long each handler pretends to work (the original slept 1 s); 0 for benchmarks.</summary>
    public TimeSpan WorkTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The configured HPC machine (Hpc:Machines:&lt;name&gt;) that runs the remote fire simulation.</summary>
    public string? Machine { get; set; }

    /// <summary>How long the fire simulation waits for all its inputs before it runs with what arrived (null: as long as it takes).</summary>
    public TimeSpan? InputsTimeout { get; set; }

    /// <summary>Whether handlers print the original's transcript lines (off for benchmarks).</summary>
    public bool PrintTranscript { get; set; } = true;
}
