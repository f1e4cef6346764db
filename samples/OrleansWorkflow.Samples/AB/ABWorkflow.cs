namespace OrleansWorkflow.Samples.AB;

public static class ABWorkflow
{
    public const string AQueue = "A_queue";
    public const string BQueue = "B_queue";
}
