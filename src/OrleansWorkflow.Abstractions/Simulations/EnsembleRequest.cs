namespace OrleansWorkflow.Simulations;

/// <summary>
/// An ensemble: one job script run as several members, each with its own inputs in its own working directory, on one
/// machine. The machine runs it as one scheduler array where it can (Slurm, <c>Hpc:Machines:&lt;name&gt;:Arrays</c>),
/// else as one job per member. The ensemble has a SimulationID of its own, and each member one
/// (<see cref="MemberId"/>). Its notify queue hears the ensemble's end once, when its join is met
/// (<see cref="Needed"/> members completed, every member ended, or <see cref="Within"/> passed), carrying each
/// member's state (<see cref="SimulationEnd.Members"/>); with <see cref="TellMembers"/>, each member's end as well.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record EnsembleRequest
{
    /// <summary>The most members an ensemble may have.</summary>
    public const int MaxMembers = 1000;

    /// <summary>
    /// What every member runs: machine, script, notify queue, resources and placement, and the files every member gets.
    /// Each member's job runs in its own directory, <c>&lt;machine base&gt;/&lt;IncidentID&gt;/&lt;member's SimulationID&gt;</c>.
    /// </summary>
    [Id(0)] public required SimulationRequest Simulation { get; init; }

    /// <summary>One entry per member, in member order: the member's own files (file name to text), beside the shared ones.</summary>
    [Id(1)] public required IReadOnlyList<IReadOnlyDictionary<string, string>> Members { get; init; }

    /// <summary>
    /// How many members must complete (exit code 0) for the ensemble's end to be told: the first k. Unset: all of them.
    /// The end is told earlier when so many members ended otherwise that k can no longer complete.
    /// </summary>
    [Id(2)] public int? Needed { get; init; }

    /// <summary>Tells the ensemble's end this long after it was submitted, with the members that completed by then, if its join was not met sooner.</summary>
    [Id(3)] public TimeSpan? Within { get; init; }

    /// <summary>Whether the members still queued or running when the ensemble's end is told are cancelled (default true: their allocation serves other work).</summary>
    [Id(4)] public bool CancelUnneeded { get; init; } = true;

    /// <summary>Whether each member's end is told to the notify queue too (with <see cref="SimulationEnd.EnsembleId"/> and <see cref="SimulationEnd.Member"/>), before the ensemble's.</summary>
    [Id(5)] public bool TellMembers { get; init; }

    /// <summary>The number of members that must complete: <see cref="Needed"/>, or all.</summary>
    public int NeededMembers => Needed ?? Members.Count;

    /// <summary>The SimulationID of member <paramref name="index"/> (from 0) of ensemble <paramref name="ensembleId"/>.</summary>
    public static Guid MemberId(Guid ensembleId, int index) => Guid.Parse(Wire.MessageIds.Derive(ensembleId.ToString(), "member", index));

    /// <summary>Member <paramref name="index"/>'s own request: the shared one with the member's files added.</summary>
    public SimulationRequest MemberRequest(int index)
    {
        var files = new Dictionary<string, string>(Simulation.Files);
        foreach (var (name, text) in Members[index])
            files[name] = text;
        return Simulation with { Files = files };
    }

    /// <summary>Throws, naming the field to fix, when the ensemble cannot be submitted.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Simulation, nameof(Simulation));
        if (Members is null || Members.Count is 0 or > MaxMembers)
            throw new ArgumentException($"EnsembleRequest.Members has {Members?.Count ?? 0} members; give 1 to {MaxMembers}, one entry (the member's own files, possibly none) per member.");
        if (Needed is { } needed && (needed < 1 || needed > Members.Count))
            throw new ArgumentException($"EnsembleRequest.Needed is {needed}; give 1 to {Members.Count} (the number of members), or leave it unset for all.");
        if (Within is { } within && within <= TimeSpan.Zero)
            throw new ArgumentException($"EnsembleRequest.Within is {within}; give a positive time, or leave it unset.");
        for (var i = 0; i < Members.Count; i++)
        {
            if (Members[i] is null)
                throw new ArgumentException($"EnsembleRequest.Members[{i}] is null; give the member's files, or an empty dictionary.");
            var shared = Members[i].Keys.FirstOrDefault(Simulation.Files.ContainsKey);
            if (shared is not null)
                throw new ArgumentException($"EnsembleRequest.Members[{i}] has file \"{shared}\", which the shared Simulation.Files has too; give each name in one place.");
        }
        for (var i = 0; i < Members.Count; i++)
            MemberRequest(i).Validate();
    }
}
