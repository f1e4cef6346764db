using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
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
}
