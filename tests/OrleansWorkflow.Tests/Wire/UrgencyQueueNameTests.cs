using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Wire;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class UrgencyQueueNameTests
{
    [Theory]
    [InlineData(IncidentUrgency.Routine, "fire_terrain")]
    [InlineData(IncidentUrgency.Urgent, "fire_terrain.urgent")]
    [InlineData(IncidentUrgency.Emergency, "fire_terrain.emergency")]
    public void Each_urgency_has_its_queue_on_a_node_and_one_dead_letter_queue_for_all(IncidentUrgency urgency, string queue)
    {
        Assert.Equal(queue, WireContract.QueueFor("fire_terrain", urgency));
        Assert.Equal("fire_terrain", WireContract.NodeOf(queue));
        Assert.Equal("fire_terrain.dead-letter", WireContract.DeadLetterQueue(queue));
    }

    [Theory]
    [InlineData("fire_terrain.urgent")]
    [InlineData("fire_terrain.emergency")]
    public void A_node_named_like_an_urgency_queue_is_refused_with_the_fix(string queue)
    {
        var error = Assert.Throws<ArgumentException>(() => WireContract.ValidateQueueName(queue));
        Assert.Contains("name the node itself (\"fire_terrain\")", error.Message);
    }
}
