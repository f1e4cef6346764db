namespace OrleansWorkflow.Simulations.Machines;

/// <summary>What a command run on a machine returned.</summary>
internal sealed record RemoteResult(int ExitStatus, string Output, string Error)
{
    public bool Succeeded => ExitStatus == 0;

    /// <summary>Output and error, trimmed, for messages and logs.</summary>
    public string Evidence => $"exit {ExitStatus}: {(Output + " " + Error).Trim()}";
}
