using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Graph;
using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Tests.Graph;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class IncidentGraphTests
{
    private static readonly IncidentInfo Incident = new(Guid.NewGuid(), "test fire", "FIRE", DateTimeOffset.UnixEpoch,
        IncidentStatus.Active, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);

    [Fact]
    public void A_node_sent_to_but_not_yet_handled_is_waiting_and_a_running_one_is_processing()
    {
        IncidentStep[] steps =
        [
            new() { Queue = "weather_data", MessageId = "1", Originator = "client", Outcome = StepOutcome.Completed, SentTo = ["weather_simulation"] },
            new() { Queue = "fire_terrain", MessageId = "2", Originator = "client", Outcome = StepOutcome.Processing },
        ];

        var graph = IncidentGraph.From(Incident, steps);

        Assert.Equal(NodeStatus.Sent, graph.Nodes.Single(n => n.Id == "weather_simulation").Status);
        Assert.Equal(NodeStatus.Processing, graph.Nodes.Single(n => n.Id == "fire_terrain").Status);
        Assert.True(graph.Nodes.Single(n => n.Id == "client").IsSource);
        Assert.Equal(["client->fire_terrain", "client->weather_data", "weather_data->weather_simulation"], graph.Edges.Select(e => $"{e.From}->{e.To}"));
    }

    [Fact]
    public void A_failed_step_colours_its_node_as_error_in_the_drawing()
    {
        IncidentStep[] steps = [new() { Queue = "fire_simulation", MessageId = "1", Originator = "client", Outcome = StepOutcome.Failed, Error = "boom" }];

        var dot = GraphFormats.ToDot(IncidentGraph.From(Incident, steps));

        Assert.Contains("\"fire_simulation\" [fillcolor=\"salmon\"", dot);
        Assert.Contains("\"client\" -> \"fire_simulation\";", dot);
        Assert.StartsWith("digraph incident {", dot);
    }

    [Fact]
    public void Names_with_quotes_cannot_break_the_DOT_text()
    {
        var odd = Incident with { Name = "fire \"north\"" };

        var dot = GraphFormats.ToDot(IncidentGraph.From(odd, []));

        Assert.Contains("fire \\\"north\\\"", dot);
    }
}
