namespace OrleansWorkflow.Simulations;

/// <summary>Whether an HPC machine takes new jobs, as its operators set it while silos run (owf machines, /api/machines).</summary>
public enum MachineMode
{
    /// <summary>Takes new jobs (the mode of every configured machine until an operator changes it).</summary>
    Enabled = 0,
    /// <summary>Takes no new jobs; the jobs on it go on to their end. New simulations wait until it is enabled (FirstToStart races go on without it).</summary>
    Draining = 1,
    /// <summary>Out of service: as Draining, said so.</summary>
    Disabled = 2,
    /// <summary>Being tried out: takes new jobs only from incidents of kind TEST; others wait as when draining.</summary>
    Test = 3,
}

/// <summary>A machine's mode and who set it when, and why; and, when it logs in with an OpenSSH certificate, until when that is valid.</summary>
[GenerateSerializer, Immutable]
public sealed record MachineState(
    [property: Id(0)] string Machine,
    [property: Id(1)] MachineMode Mode,
    [property: Id(2)] DateTimeOffset? ChangedAt,
    [property: Id(3)] string? Reason,
    [property: Id(4)] DateTimeOffset? CertificateValidBefore = null)
{
    /// <summary>The incident kind a machine in Test mode takes jobs from.</summary>
    public const string TestKind = "TEST";

    /// <summary>Whether the machine takes a new job of an incident of <paramref name="kind"/>.</summary>
    public bool Takes(string kind) => Mode == MachineMode.Enabled || Mode == MachineMode.Test && kind == TestKind;
}
