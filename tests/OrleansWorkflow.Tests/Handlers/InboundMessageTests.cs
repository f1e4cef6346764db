using OrleansWorkflow.Tests.Infrastructure;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Tests.Handlers;

/// <summary>The adapter's parse of a body is handed to the handler once; a retry, or a copy from another silo, parses afresh.</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class InboundMessageTests
{
    private const string Body = """{"IncidentID":"6f1c1e55-5d3c-4f8e-9d6a-0d5b8f0e2a11","step":"one"}""";

    [Fact]
    public void The_adapters_parse_is_taken_once_and_a_retry_does_not_see_what_the_first_run_changed()
    {
        var parsed = JsonNode.Parse(Body)!.AsObject();
        var message = new InboundMessage("record", "m-1", null, Body).WithParsed(parsed);

        var first = message.TakeBody();
        first["step"] = "changed by the handler";
        var retry = message.TakeBody();

        Assert.Same(parsed, first);
        Assert.NotSame(first, retry);
        Assert.Equal("one", (string?)retry["step"]);
    }

    [Fact]
    public void A_copy_sent_to_another_silo_carries_the_text_and_parses_it()
    {
        var serializer = new ServiceCollection()
            .AddSerializer(builder => builder.AddAssembly(typeof(InboundMessage).Assembly))
            .BuildServiceProvider().GetRequiredService<Serializer>();
        var message = new InboundMessage("record", "m-1", null, Body).WithParsed(JsonNode.Parse(Body)!.AsObject());

        var copy = serializer.Deserialize<InboundMessage>(serializer.SerializeToArray(message))!;
        var body = copy.TakeBody();

        Assert.Equal(Body, copy.Body);
        Assert.Equal("one", (string?)body["step"]);
        Assert.Equal("record", copy.Queue);
    }
}
