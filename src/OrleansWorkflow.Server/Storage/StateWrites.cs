namespace OrleansWorkflow.Storage;

internal static class StateWrites
{
    /// <summary>
    /// Stores <paramref name="next"/> as the grain's state. When the write fails the state in memory goes back to what
    /// it was and the activation is let go (<paramref name="deactivate"/>): the write may have committed all the same,
    /// so only a fresh activation, reading what is stored, knows.
    /// </summary>
    public static async Task ReplaceAsync<TState>(this IPersistentState<TState> state, TState next, Action deactivate)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            deactivate();
            throw;
        }
    }
}
