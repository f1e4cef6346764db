namespace OrleansWorkflow.Cli.Commands;

/// <summary>What owf's exit code tells a script.</summary>
internal static class ExitCodes
{
    public const int Done = 0;
    /// <summary>The engine, broker or database could not be reached, or refused the operation.</summary>
    public const int Failed = 1;
    /// <summary>Bad usage or a bad argument (an unknown incident, a malformed id or message).</summary>
    public const int BadInput = 2;
    /// <summary>watch: the incident was cancelled.</summary>
    public const int Cancelled = 3;
    /// <summary>watch: the incident is in Error (a handler failed past its retries); an operator decides.</summary>
    public const int Error = 4;
    /// <summary>watch: --timeout passed before the incident ended.</summary>
    public const int TimedOut = 5;
    /// <summary>The engine refused a change to this caller: no API key (OWF_API_KEY), an unknown one, or a role too low.</summary>
    public const int Refused = 6;
}
