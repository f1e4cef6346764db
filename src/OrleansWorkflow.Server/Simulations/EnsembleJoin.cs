namespace OrleansWorkflow.Simulations;

/// <summary>When an ensemble's end is told, and how it ended, from what its members reported.</summary>
internal static class EnsembleJoin
{
    /// <summary>
    /// The ensemble's end once its join is met: Completed when <paramref name="needed"/> members completed; Failed as
    /// soon as so many ended otherwise that the needed ones can no longer complete (or every member ended); null while
    /// it waits.
    /// </summary>
    public static (SimulationStatus Status, string Detail)? Verdict(int members, int needed, IEnumerable<SimulationInfo> reported)
    {
        var (completed, endedOtherwise) = Count(reported);
        if (completed >= needed)
            return (SimulationStatus.Completed, Summary(members, needed, completed, endedOtherwise));
        if (members - endedOtherwise < needed)
            return (SimulationStatus.Failed, Summary(members, needed, completed, endedOtherwise) + "; the members needed can no longer complete");
        return null;
    }

    /// <summary>The ensemble's end when its time (<see cref="EnsembleRequest.Within"/>) passed before its join was met.</summary>
    public static (SimulationStatus Status, string Detail) TimedOut(int members, int needed, TimeSpan within, IEnumerable<SimulationInfo> reported)
    {
        var (completed, endedOtherwise) = Count(reported);
        return (SimulationStatus.Timeout, Summary(members, needed, completed, endedOtherwise) + $"; its time ({within}) passed first");
    }

    private static (int Completed, int EndedOtherwise) Count(IEnumerable<SimulationInfo> reported)
    {
        var list = reported.ToList();
        return (list.Count(m => m.Status == SimulationStatus.Completed), list.Count(m => m.Status.IsFinished() && m.Status != SimulationStatus.Completed));
    }

    private static string Summary(int members, int needed, int completed, int endedOtherwise) =>
        $"{completed} of {members} members completed ({needed} needed)" + (endedOtherwise > 0 ? $", {endedOtherwise} ended otherwise" : "");
}
