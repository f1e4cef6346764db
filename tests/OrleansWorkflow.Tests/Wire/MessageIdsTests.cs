using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Wire;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class MessageIdsTests
{
    [Fact]
    public void A_resend_of_the_same_message_gets_the_same_id()
    {
        Assert.Equal(MessageIds.Derive("parent", "fire_terrain", 0), MessageIds.Derive("parent", "fire_terrain", 0));
    }

    [Fact]
    public void Each_position_handler_and_parent_gets_its_own_id()
    {
        string[] ids =
        [
            MessageIds.Derive("parent", "fire_terrain", 0),
            MessageIds.Derive("parent", "fire_terrain", 1),
            MessageIds.Derive("parent", "fire_hotspot", 0),
            MessageIds.Derive("other", "fire_terrain", 0),
        ];
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void Derived_ids_are_version_8_UUIDs()
    {
        var id = Guid.Parse(MessageIds.Derive("parent", "q", 3));
        Assert.Equal(8, id.Version);
    }
}
