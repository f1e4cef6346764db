using OrleansWorkflow.Hosting;
using System.Text;
using System.Text.Json.Nodes;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Engine;

[Collection(EngineCollection.Name)]
public sealed class BadInputTests(EngineFixture engine)
{
    [Theory]
    [InlineData("not json at all", "body is not JSON")]
    [InlineData("[1, 2, 3]", "body is JSON an array, not an object")]
    [InlineData("\"just a string\"", "body is JSON a string, not an object")]
    [InlineData("{\"data\": \"no incident\"}", "the message has no \"IncidentID\" key")]
    [InlineData("{\"IncidentID\": \"fire-42\"}", "\"IncidentID\" is \"fire-42\", which is not a UUID")]
    [InlineData("{\"IncidentID\": 42}", "\"IncidentID\" is 42, which is not a UUID")]
    public async Task A_malformed_body_is_dead_lettered_with_its_reason(string body, string reason)
    {
        var marker = Guid.NewGuid().ToString();
        await engine.Broker.PublishRawAsync(TestQueues.BadInput, body, messageId: marker);

        var letter = await DeadLetterAsync(marker);

        Assert.Equal(body, Encoding.UTF8.GetString(letter.Body.Span));
        Assert.StartsWith(reason, WorkflowTests.Header(letter, WireContract.ReasonHeader));
        Assert.Equal(TestQueues.BadInput, WorkflowTests.Header(letter, WireContract.OriginalQueueHeader));
    }

    /// <summary>Bodies a lenient parser accepts but that fail when read: they used to be held by their consumer forever.</summary>
    [Theory]
    [InlineData("{\"IncidentID\":\"%ID%\",\"a\":1,\"a\":2}", "body repeats the key \"a\"")]
    [InlineData("{\"IncidentID\":\"\\ud800\"}", "body has a string that is not valid Unicode")]
    [InlineData("{\"IncidentID\":\"%ID%\",\"MessageID\":\"\\ud800\"}", "body has a string that is not valid Unicode")]
    [InlineData("{\"IncidentID\":\"%ID%\",\"originator\":\"\\udc00\"}", "body has a string that is not valid Unicode")]
    [InlineData("{\"IncidentID\":\"%ID%\",\"\\ud800\":1}", "body has a string that is not valid Unicode")]
    public async Task A_body_that_fails_only_when_read_is_dead_lettered_with_its_reason(string template, string reason)
    {
        var incident = await engine.Client.CreateIncident("bad-input", "TEST");
        var body = template.Replace("%ID%", incident.ToString());
        var marker = Guid.NewGuid().ToString();
        await engine.Broker.PublishRawAsync(TestQueues.BadInput, body, messageId: marker);

        var letter = await DeadLetterAsync(marker);

        Assert.Equal(body, Encoding.UTF8.GetString(letter.Body.Span));
        Assert.StartsWith(reason, WorkflowTests.Header(letter, WireContract.ReasonHeader));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_dead_lettered_unread()
    {
        var marker = Guid.NewGuid().ToString();
        var limit = engine.Options<WorkflowOptions>().MaxBodyBytes;
        var body = Encoding.UTF8.GetBytes($"{{\"IncidentID\": \"{Guid.NewGuid()}\", \"pad\": \"{new string('x', limit)}\"}}");
        await engine.Broker.PublishRawAsync(TestQueues.BadInput, body, messageId: marker);

        var letter = await DeadLetterAsync(marker);

        Assert.Equal(body.Length, letter.Body.Length);
        Assert.Equal($"body is {body.Length} bytes, over the limit of {limit} bytes (Workflow:MaxBodyBytes)", WorkflowTests.Header(letter, WireContract.ReasonHeader));
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_is_dead_lettered_unchanged()
    {
        var marker = Guid.NewGuid().ToString();
        byte[] body = [(byte)'{', 0xC3, 0x28, (byte)'}'];
        await engine.Broker.PublishRawAsync(TestQueues.BadInput, body, messageId: marker);

        var letter = await DeadLetterAsync(marker);

        Assert.Equal(body, letter.Body.ToArray());
        Assert.Equal("body is not valid UTF-8", WorkflowTests.Header(letter, WireContract.ReasonHeader));
    }

    [Fact]
    public async Task A_message_for_an_incident_never_created_is_dead_lettered_and_creates_no_state()
    {
        var unknown = Guid.NewGuid();
        var marker = Guid.NewGuid().ToString();
        await engine.Broker.PublishRawAsync(TestQueues.BadInput, WorkflowTests.Message(unknown).ToJsonString(), messageId: marker);

        var letter = await DeadLetterAsync(marker);

        Assert.Equal($"incident {unknown} was never created", WorkflowTests.Header(letter, WireContract.ReasonHeader));
        Assert.Equal(0, await engine.Database.HandlerRowsAsync(unknown));
        Assert.Equal(0, await engine.Database.StateRowsAsync(unknown, "incident"));
    }

    [Theory]
    [InlineData("Completed")]
    [InlineData("Cancelled")]
    public async Task A_message_for_a_finished_incident_is_dead_lettered_and_creates_no_handler_state(string ending)
    {
        var incident = await engine.Client.CreateIncident("finished", "TEST");
        if (ending == "Completed")
            await engine.Client.Complete(incident);
        else
            await engine.Client.Cancel(incident, "operator stopped it");
        var marker = Guid.NewGuid().ToString();
        await engine.Broker.PublishRawAsync(TestQueues.BadInput, WorkflowTests.Message(incident).ToJsonString(), messageId: marker);

        var letter = await DeadLetterAsync(marker);

        Assert.Equal($"incident {incident} is already {ending}", WorkflowTests.Header(letter, WireContract.ReasonHeader));
        Assert.Equal(0, await engine.Database.HandlerRowsAsync(incident));
    }

    [Fact]
    public async Task Sending_a_message_without_IncidentID_throws_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => engine.Client.Send(TestQueues.Record, new JsonObject { ["data"] = 1 }));
        Assert.Contains("\"IncidentID\"", error.Message);
    }

    [Fact]
    public async Task Sending_to_an_incident_never_created_throws_naming_the_IncidentID()
    {
        var unknown = Guid.NewGuid();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => engine.Client.Send(TestQueues.Record, WorkflowTests.Message(unknown)));
        Assert.Contains(unknown.ToString(), error.Message);
        Assert.Contains("never created", error.Message);
    }

    private Task<RabbitMQ.Client.BasicGetResult> DeadLetterAsync(string marker) =>
        engine.Broker.DeadLetterAsync(TestQueues.BadInput, marker, TimeSpan.FromSeconds(30));
}
