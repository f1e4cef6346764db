using OrleansWorkflow.Hosting;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Adapter;

[GenerateSerializer]
internal sealed class RedeliveryState
{
    [Id(0)] public int Redeliveries { get; set; }

    /// <summary>The delivery counted last: a delivery retried after an outage is counted once.</summary>
    [Id(1)] public string? LastDelivery { get; set; }
}

internal sealed class RedeliveryGrain(
    [PersistentState(WorkflowStorage.RedeliveryState, WorkflowStorage.Name)] IPersistentState<RedeliveryState> state) : Grain, IRedeliveryGrain
{
    public async Task<int> Count(string delivery)
    {
        if (state.State.LastDelivery == delivery)
            return state.State.Redeliveries;
        await state.ReplaceAsync(new RedeliveryState { Redeliveries = state.State.Redeliveries + 1, LastDelivery = delivery }, DeactivateOnIdle);
        return state.State.Redeliveries;
    }

    public async Task Forget()
    {
        if (state.RecordExists)
            await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}
