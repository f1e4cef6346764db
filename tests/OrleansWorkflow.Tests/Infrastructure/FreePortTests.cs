namespace OrleansWorkflow.Tests.Infrastructure;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class FreePortTests
{
    [Fact]
    public void Free_ports_handed_out_in_one_test_run_are_all_different()
    {
        // The kernel may give a port that was just closed again: a silo got one port as its silo and gateway port.
        var ports = Enumerable.Range(0, 1000).Select(_ => TestServices.FreePort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
    }
}
