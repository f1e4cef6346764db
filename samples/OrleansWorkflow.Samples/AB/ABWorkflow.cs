using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Samples.AB;

public static class ABWorkflow
{
    public const string AQueue = "A_queue";
    public const string BQueue = "B_queue";

    public static HandlerRegistry AddABWorkflow(this HandlerRegistry handlers) =>
        handlers.RegisterHandler<IAHandler>(AQueue)
                .RegisterHandler<IBHandler>(BQueue);
}
