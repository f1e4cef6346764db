namespace OrleansWorkflow.Simulations;

/// <summary>How a simulation offered to several machines is run.</summary>
public enum SubmitStrategy
{
    /// <summary>
    /// Submitted to each machine that takes jobs; the first job to start wins and the others are cancelled. The
    /// workflow hears of the winner only (its notices and end carry the one SimulationID Submit returned).
    /// </summary>
    FirstToStart = 0,
}
