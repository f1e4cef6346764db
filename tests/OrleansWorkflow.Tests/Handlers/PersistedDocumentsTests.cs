using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Tests.Handlers;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class PersistedDocumentsTests
{
    [Fact]
    public void Documents_are_parsed_once_and_handed_out_as_copies_with_what_was_appended_or_replaced_since()
    {
        var documents = new PersistedDocuments();
        var stored = new List<string> { "{\"n\":1}" };

        var first = documents.Copies(stored);
        first[0]["n"] = 99; // a handler changing what it read changes nothing stored
        stored.Add("{\"n\":2}");
        var second = documents.Copies(stored);
        stored.Clear();
        stored.AddRange(["{\"n\":3}", "{\"n\":3.5}", "{\"n\":3.75}"]);
        var afterClear = documents.Copies(stored);
        var replaced = documents.Copies(new List<string> { "{\"n\":4}", "{\"n\":5}" });

        Assert.Equal([1, 2], second.Select(d => d["n"]!.GetValue<int>()));
        Assert.Equal([3, 3.5, 3.75], afterClear.Select(d => d["n"]!.GetValue<double>()));
        Assert.Equal([4, 5], replaced.Select(d => d["n"]!.GetValue<int>()));
    }
}
