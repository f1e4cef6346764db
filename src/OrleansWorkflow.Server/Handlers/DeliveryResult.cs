namespace OrleansWorkflow.Handlers;

internal enum DeliveryOutcome
{
    /// <summary>The handler ran, its state was written and its sends were published.</summary>
    Handled = 0,
    /// <summary>The message id was handled before (a redelivery); nothing ran.</summary>
    Duplicate = 1,
    /// <summary>The handler threw; nothing it did was kept. The caller retries or dead-letters.</summary>
    Failed = 2,
    /// <summary>The message may not be handled (its incident is unknown or finished); dead-letter it.</summary>
    Rejected = 3,
    /// <summary>
    /// A service of the engine the handler needed is unreachable (an HPC machine): nothing was kept, and the message
    /// is held and tried again as in any outage, not counted as the handler's failure.
    /// </summary>
    Held = 4,
    /// <summary>
    /// This silo's handlers do not run the incident's workflow version (<see cref="DeliveryResult.Workflow"/>): nothing
    /// ran, the grain leaves the silo, and the caller delivers again on a silo that runs it, or holds the message.
    /// </summary>
    Elsewhere = 5,
}

/// <summary>What happened to a delivered message. Failures travel as text, not as exceptions, so any user exception survives the trip.</summary>
[GenerateSerializer, Immutable]
internal sealed record DeliveryResult([property: Id(0)] DeliveryOutcome Outcome, [property: Id(1)] string? Detail = null, [property: Id(2)] Hosting.IncidentWorkflow? Workflow = null)
{
    public static readonly DeliveryResult Handled = new(DeliveryOutcome.Handled);
    public static readonly DeliveryResult Duplicate = new(DeliveryOutcome.Duplicate);
    public static DeliveryResult Failed(string error) => new(DeliveryOutcome.Failed, error);
    public static DeliveryResult Rejected(string reason) => new(DeliveryOutcome.Rejected, reason);
    public static DeliveryResult Held(string reason) => new(DeliveryOutcome.Held, reason);
    public static DeliveryResult Elsewhere(Hosting.IncidentWorkflow workflow) => new(DeliveryOutcome.Elsewhere, $"this silo does not run {workflow}", workflow);
}
