using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Storage;

[Collection(EngineCollection.Name)]
public sealed class StateSerializerTests(EngineFixture engine)
{
    [Fact]
    public void State_that_earlier_versions_wrote_as_JSON_is_read_and_state_is_now_written_in_binary()
    {
        var earlier = engine.Services.GetRequiredService<IGrainStorageSerializer>(); // Orleans' default: JSON
        var engineSerializer = engine.Services.GetRequiredKeyedService<IGrainStorageSerializer>(WorkflowStorage.Name);
        var state = new HandlerState { Documents = ["{\"seen\":true}"], HandledMessageIds = ["m-1"] };

        var fromJson = engineSerializer.Deserialize<HandlerState>(earlier.Serialize(state))!;
        var written = engineSerializer.Serialize(state);
        var fromBinary = engineSerializer.Deserialize<HandlerState>(written)!;

        Assert.Equal((byte)'{', earlier.Serialize(state).ToMemory().Span[0]);
        Assert.NotEqual((byte)'{', written.ToMemory().Span[0]);
        Assert.Equal(state.Documents, fromJson.Documents);
        Assert.Equal(state.HandledMessageIds, fromJson.HandledMessageIds);
        Assert.Equal(state.Documents, fromBinary.Documents);
        Assert.Equal(state.HandledMessageIds, fromBinary.HandledMessageIds);
    }

    /// <summary>
    /// Rows written by the engine at 4c191bb (before the packages and the internal grain interfaces), from a fire
    /// incident whose terrain input had reached the join: the incident's state and fire_simulation's handler state.
    /// </summary>
    [Fact]
    public void State_written_by_the_engine_before_the_package_split_is_read_as_it_was_written()
    {
        var serializer = engine.Services.GetRequiredKeyedService<IGrainStorageSerializer>(WorkflowStorage.Name);

        var handler = serializer.Deserialize<HandlerState>(Recorded("handler-fire_simulation"))!;
        var incident = serializer.Deserialize<IncidentState>(Recorded("incident"))!;

        Assert.Equal(["{\"originator\":\"fire_terrain\"}"], handler.Documents);
        Assert.Single(handler.HandledMessageIds);
        Assert.Equal(("recorded by 4c191bb", "FIRE", IncidentStatus.Active), (incident.Name, incident.Kind, incident.Status));
        Assert.Equal(["fire_terrain", "fire_simulation"], incident.Steps.Select(s => s.Queue));
        Assert.All(incident.Steps, s => Assert.Equal(StepOutcome.Completed, s.Outcome));
        Assert.Equal(["fire_simulation"], incident.Steps[0].SentTo);
        Assert.Contains(handler.HandledMessageIds, id => id == incident.Steps[1].MessageId);
    }

    private static BinaryData Recorded(string row) =>
        BinaryData.FromBytes(Convert.FromBase64String(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Storage", "Recorded", $"state-4c191bb-{row}.b64"))));
}
