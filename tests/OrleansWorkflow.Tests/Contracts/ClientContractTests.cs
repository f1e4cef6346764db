using OrleansWorkflow.Tests.Infrastructure;
using System.Reflection;
using OrleansWorkflow.Client;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Tests.Contracts;

/// <summary>What a client app can call: the incident's own operations, none of the engine's bookkeeping.</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class ClientContractTests
{
    private static readonly string[] Bookkeeping =
        ["Admit", "StepStarted", "StepLeft", "StepEnded", "MarkError", "SimulationChanged", "RecordDeadLetter", "Deliver", "ClearIncidentData"];

    [Fact]
    public void The_client_facing_incident_grain_has_only_what_clients_do()
    {
        var methods = typeof(IIncidentGrain).GetMethods().Select(m => m.Name).Order().ToArray();

        Assert.Equal(["Cancel", "Complete", "Create", "GetDeadLetters", "GetInfo", "GetJoins", "GetSimulations", "GetSteps", "Watch"], methods);
    }

    [Fact]
    public void No_public_grain_interface_a_client_or_handler_author_sees_has_a_bookkeeping_method()
    {
        var visible = new[] { typeof(IIncidentGrain).Assembly, typeof(WorkflowClient).Assembly, typeof(IWorkflowHandler).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t))
            .ToList();

        Assert.Contains(typeof(IIncidentGrain), visible);
        Assert.Contains(typeof(IWorkflowHandler), visible);
        var leaks = visible.SelectMany(t => t.GetMethods().Select(m => $"{t.Name}.{m.Name}")).Where(m => Bookkeeping.Any(b => m.EndsWith($".{b}", StringComparison.Ordinal)));
        Assert.Empty(leaks);
    }

    [Fact]
    public void A_handler_interface_inherits_no_method_at_all()
    {
        Assert.Empty(typeof(IWorkflowHandler).GetMethods(BindingFlags.Public | BindingFlags.Instance));
        Assert.Empty(typeof(IWorkflowHandler).GetInterfaces().SelectMany(i => i.GetMethods()));
    }
}
