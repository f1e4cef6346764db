using System.Text.Json.Nodes;

namespace OrleansWorkflow.Handlers;

/// <summary>
/// A handler's stored documents, each parsed once per activation: the stored list only grows (a kept message appends)
/// until it is replaced or cleared, so a handler that reads all of them at every message parses only the new ones.
/// Readers get copies, so what a handler changes in them is never taken for what is stored.
/// </summary>
internal sealed class PersistedDocuments
{
    private readonly List<string> _texts = [];
    private readonly List<JsonObject> _parsed = [];

    public IReadOnlyList<JsonObject> Copies(IReadOnlyList<string> stored)
    {
        if (!StillHolds(stored))
        {
            _texts.Clear();
            _parsed.Clear();
        }
        for (var i = _parsed.Count; i < stored.Count; i++)
        {
            _texts.Add(stored[i]);
            _parsed.Add(JsonNode.Parse(stored[i])!.AsObject());
        }
        return [.. _parsed.Select(d => d.DeepClone().AsObject())];
    }

    /// <summary>Whether <paramref name="stored"/> still begins with the texts parsed (the same strings, not equal ones).</summary>
    private bool StillHolds(IReadOnlyList<string> stored) =>
        _texts.Count == 0
        || (_texts.Count <= stored.Count && ReferenceEquals(_texts[0], stored[0]) && ReferenceEquals(_texts[^1], stored[_texts.Count - 1]));
}
