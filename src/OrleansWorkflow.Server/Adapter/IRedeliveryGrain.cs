namespace OrleansWorkflow.Adapter;

/// <summary>
/// Counts the redeliveries of one message on one queue (keyed by <see cref="RedeliveryLimit.KeyOf"/>), durably: the
/// count must outlive the process that a poison message keeps killing.
/// </summary>
[Access.EngineOnly]
internal interface IRedeliveryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Counts the redelivery <paramref name="delivery"/> (its consumer and delivery tag) and returns how many there
    /// were; counting the same delivery again changes nothing.
    /// </summary>
    Task<int> Count(string delivery);

    /// <summary>Forgets the count once the message is settled.</summary>
    Task Forget();
}
