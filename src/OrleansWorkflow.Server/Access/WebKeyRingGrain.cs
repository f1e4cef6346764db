using OrleansWorkflow.Hosting;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Access;

[GenerateSerializer]
internal sealed class WebKeyRingState
{
    [Id(0)] public List<string> Keys { get; set; } = [];
}

internal sealed class WebKeyRingGrain(
    [PersistentState(WorkflowStorage.WebKeyRingState, WorkflowStorage.Name)] IPersistentState<WebKeyRingState> state) : Grain, IWebKeyRingGrain
{
    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Keys]);

    public Task Add(string xml) =>
        state.State.Keys.Contains(xml) ? Task.CompletedTask : state.ReplaceAsync(new WebKeyRingState { Keys = [.. state.State.Keys, xml] }, DeactivateOnIdle);
}
