using OrleansWorkflow.Hosting;
using OrleansWorkflow.Storage;

namespace OrleansWorkflow.Access;

[GenerateSerializer]
internal sealed class AccessKeysState
{
    [Id(0)] public List<AccessKeyRecord> Keys { get; set; } = [];
}

internal sealed class AccessKeysGrain(
    [PersistentState(WorkflowStorage.AccessKeysState, WorkflowStorage.Name)] IPersistentState<AccessKeysState> state) : Grain, IAccessKeysGrain
{
    public Task<IReadOnlyList<AccessKeyRecord>> List() => Task.FromResult<IReadOnlyList<AccessKeyRecord>>([.. state.State.Keys]);

    public async Task<bool> AddFirst(AccessKeyRecord key)
    {
        if (state.State.Keys.Count > 0)
            return false;
        await SaveAsync([key]);
        return true;
    }

    public async Task Add(AccessKeyRecord key)
    {
        if (state.State.Keys.Any(k => k.Name == key.Name))
            throw new ArgumentException($"A key named \"{key.Name}\" exists already; pick another name, or remove that key first.", nameof(key));
        await SaveAsync([.. state.State.Keys, key]);
    }

    public async Task<bool> Remove(string name)
    {
        if (!state.State.Keys.Any(k => k.Name == name))
            return false;
        await SaveAsync([.. state.State.Keys.Where(k => k.Name != name)]);
        return true;
    }

    private Task SaveAsync(List<AccessKeyRecord> keys) => state.ReplaceAsync(new AccessKeysState { Keys = keys }, DeactivateOnIdle);
}
