using System.Text;
using System.Text.Json.Nodes;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Wire;

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
    [InlineData("fire_simulation")]
    [InlineData("A_queue")]
    public void Workflow_queue_names_are_accepted(string queue) => WireContract.ValidateQueueName(queue);

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("fire.dead-letter", "reserved for dead letters")]
    public void Bad_queue_names_are_refused_with_the_reason(string queue, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => WireContract.ValidateQueueName(queue));
        Assert.Contains(reason, error.Message);
    }
}
