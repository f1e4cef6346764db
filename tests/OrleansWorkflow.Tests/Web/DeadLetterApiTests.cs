using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Web;

/// <summary>Dead letters over HTTP: what <c>owf dead-letters</c> does, with the roles of the API.</summary>
[Collection(WebCollection.Name)]
public sealed class DeadLetterApiTests(WebSiloFixture web)
{
    [Fact]
    public async Task A_viewer_lists_a_queues_dead_letters_with_their_reasons_and_an_operator_replays_and_discards_them()
    {
        var replayed = $"replay-{Guid.NewGuid():N}";
        var discarded = $"discard-{Guid.NewGuid():N}";
        // Not JSON: the adapter dead-letters both at once, with the reason.
        await web.Broker.PublishRawAsync(FireWorkflow.FireHotspot, "not json", replayed);
        await web.Broker.PublishRawAsync(FireWorkflow.FireHotspot, "not json either", discarded);
        using var viewer = web.HttpAs(web.ViewerKey);
        var letters = await Eventually.UntilAsync(async () => (await WebSiloFixture.GetAsync(viewer, $"/api/dead-letters/{FireWorkflow.FireHotspot}")).Body!.AsArray(),
            l => l.Count(x => x!["messageId"]!.GetValue<string>() is var id && (id == replayed || id == discarded)) == 2, TimeSpan.FromSeconds(30), "both dead letters");
        var letter = letters.Single(l => l!["messageId"]!.GetValue<string>() == replayed)!;
        Assert.Contains("JSON", letter["reason"]!.GetValue<string>());
        Assert.Equal("not json", letter["body"]!.GetValue<string>());
        Assert.Equal(403, (await WebSiloFixture.PostAsync(viewer, $"/api/dead-letters/{FireWorkflow.FireHotspot}/{replayed}/replay", "")).Status);

        var (replay, answer) = await web.PostAsync($"/api/dead-letters/{FireWorkflow.FireHotspot}/{replayed}/replay", "");
        Assert.True(replay == 200, answer?.ToJsonString());
        Assert.Equal(200, (await web.PostAsync($"/api/dead-letters/{FireWorkflow.FireHotspot}/{discarded}/discard", "")).Status);
        Assert.Equal(404, (await web.PostAsync($"/api/dead-letters/{FireWorkflow.FireHotspot}/{discarded}/discard", "")).Status);
        Assert.Equal(400, (await web.PostAsync("/api/dead-letters/no_such_queue/x/discard", "")).Status);

        // Replayed, the message is handled again: still not JSON, so it is dead-lettered again; the discarded one is gone.
        var after = await Eventually.UntilAsync(async () => (await WebSiloFixture.GetAsync(viewer, $"/api/dead-letters/{FireWorkflow.FireHotspot}")).Body!.AsArray(),
            l => l.Any(x => x!["messageId"]!.GetValue<string>() == replayed), TimeSpan.FromSeconds(30), "the replayed letter to be dead-lettered again");
        Assert.DoesNotContain(after, l => l!["messageId"]!.GetValue<string>() == discarded);
        await web.Silo.WaitForLogAsync($"POST /api/dead-letters/{FireWorkflow.FireHotspot}/{replayed}/replay by test-operator (operator): 200", TimeSpan.FromSeconds(60));
    }
}
