using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Samples.AB;
using OrleansWorkflow.Tests.Handlers;

namespace OrleansWorkflow.Tests.Hosting;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class HandlerRegistryTests
{
    [Fact]
    public void One_queue_has_one_handler()
    {
        var registry = new HandlerRegistry().RegisterHandler<IAHandler>("shared");
        var error = Assert.Throws<ArgumentException>(() => registry.RegisterHandler<IBHandler>("shared"));
        Assert.Contains("already has handler IAHandler", error.Message);
    }

    [Fact]
    public void One_handler_may_serve_several_queues()
    {
        var registry = new HandlerRegistry().RegisterHandler<IBranchHandler>("left").RegisterHandler<IBranchHandler>("right");
        Assert.Equal(["left", "right"], registry.Queues.Order());
    }

    [Fact]
    public void Only_handler_grain_interfaces_can_be_registered()
    {
        var error = Assert.Throws<ArgumentException>(() => new HandlerRegistry().RegisterHandler(typeof(AHandler), "a"));
        Assert.Contains("register a grain interface derived from IWorkflowHandler", error.Message);
    }
}
