using OrleansWorkflow.Tests.Infrastructure;
using System.Text;
using System.Text.Json.Nodes;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Wire;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class WireMessageTests
{
    [Fact]
    public void A_valid_message_yields_its_incident_message_id_and_originator()
    {
        var incident = Guid.NewGuid();
        var body = Encoding.UTF8.GetBytes($"{{\"IncidentID\":\"{incident}\",\"MessageID\":\"m-1\",\"originator\":\"fire_terrain\",\"data\":[1]}}");

        Assert.True(WireMessage.TryParse(body, out var message, out _));

        Assert.Equal(incident, message!.IncidentId);
        Assert.Equal("m-1", message.MessageId);
        Assert.Equal("fire_terrain", message.Originator);
        Assert.Equal(1, message.Body["data"]![0]!.GetValue<int>());
    }

    [Fact]
    public void A_message_without_MessageID_or_originator_still_parses()
    {
        var body = Encoding.UTF8.GetBytes($"{{\"IncidentID\":\"{Guid.NewGuid()}\"}}");

        Assert.True(WireMessage.TryParse(body, out var message, out _));

        Assert.Null(message!.MessageId);
        Assert.Null(message.Originator);
    }

    [Fact]
    public void Code_sending_a_message_without_IncidentID_is_told_the_missing_key()
    {
        var error = Assert.Throws<ArgumentException>(() => WireMessage.IncidentIdOf(new JsonObject { ["data"] = 1 }));
        Assert.Contains("no \"IncidentID\" key", error.Message);
    }

    [Fact]
    public void A_null_IncidentID_counts_as_missing()
    {
        Assert.False(WireMessage.TryParse("{\"IncidentID\":null}"u8, out _, out var reason));
        Assert.Equal("the message has no \"IncidentID\" key", reason);
    }

    [Theory]
    [InlineData("{\"IncidentID\":\"%ID%\",\"a\":1,\"a\":2}", "body repeats the key \"a\"")]
    [InlineData("{\"IncidentID\":\"%ID%\",\"IncidentID\":\"%ID%\"}", "body repeats the key \"IncidentID\"")]
    [InlineData("{\"IncidentID\":\"%ID%\",\"data\":{\"b\":1,\"b\":1}}", "body repeats the key \"b\"")]
    public void A_body_that_repeats_a_key_is_refused_naming_the_key(string template, string reason)
    {
        var body = Encoding.UTF8.GetBytes(template.Replace("%ID%", Guid.NewGuid().ToString()));

        Assert.False(WireMessage.TryParse(body, out _, out var why));
        Assert.StartsWith(reason, why);
    }

    [Theory]
    [InlineData("{\"IncidentID\":\"\\ud800\"}")]
    [InlineData("{\"IncidentID\":\"%ID%\",\"MessageID\":\"m\\udc00\"}")]
    [InlineData("{\"IncidentID\":\"%ID%\",\"originator\":\"\\ud83d\"}")]
    [InlineData("{\"IncidentID\":\"%ID%\",\"\\ud800\":1}")]
    [InlineData("{\"IncidentID\":\"%ID%\",\"data\":[\"ok\",\"\\udfff x\"]}")]
    public void A_body_with_a_lone_surrogate_escape_is_refused(string template)
    {
        var body = Encoding.UTF8.GetBytes(template.Replace("%ID%", Guid.NewGuid().ToString()));

        Assert.False(WireMessage.TryParse(body, out _, out var why));
        Assert.StartsWith("body has a string that is not valid Unicode", why);
    }

    [Fact]
    public void A_body_with_a_surrogate_pair_escape_is_accepted()
    {
        var body = Encoding.UTF8.GetBytes($"{{\"IncidentID\":\"{Guid.NewGuid()}\",\"originator\":\"fire \\ud83d\\udd25\"}}");

        Assert.True(WireMessage.TryParse(body, out var message, out _));
        Assert.Equal("fire \U0001F525", message!.Originator);
    }

    [Theory]
    [InlineData("fire_simulation")]
    [InlineData("A_queue")]
    public void Workflow_queue_names_are_accepted(string queue) => WireContract.ValidateQueueName(queue);

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("fire.dead-letter", "reserved for dead letters")]
    [InlineData("amq.fire", "which RabbitMQ reserves for itself")]
    public void Bad_queue_names_are_refused_with_the_reason(string queue, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => WireContract.ValidateQueueName(queue));
        Assert.Contains(reason, error.Message);
    }
}
