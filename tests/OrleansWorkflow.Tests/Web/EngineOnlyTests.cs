using OrleansWorkflow.Access;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Tests.Web;

/// <summary>A client connected through the gateway of a real silo reaches the client operations only.</summary>
[Collection(WebCollection.Name)]
public sealed class EngineOnlyTests(WebSiloFixture web)
{
    [Fact]
    public async Task A_gateway_client_may_not_run_a_script_record_a_simulation_mark_an_incident_or_read_the_key_hashes()
    {
        var incident = await web.Client.CreateIncident("engine only", "FIRE");
        var grains = web.Client.Grains;
        var request = new SimulationRequest { Machine = "loopback", Script = "#!/bin/bash\nrm -rf ~\n", NotifyQueue = "fire_results" };

        var refusals = new (string Call, Func<Task> Attempt)[]
        {
            ("IMachinePollerGrain.Track", () => grains.GetGrain<IMachinePollerGrain>("loopback").Track(Guid.NewGuid(), incident, request)),
            ("ISimulationGrain.Create", () => grains.GetGrain<ISimulationGrain>(Guid.NewGuid()).Create(incident, request)),
            ("IIncidentBookkeeping.MarkError", () => grains.GetGrain<IIncidentBookkeeping>(incident).MarkError("forged")),
            ("IAccessKeysGrain.List", () => grains.GetGrain<IAccessKeysGrain>(0).List()),
        };
        foreach (var (call, attempt) in refusals)
        {
            var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(attempt);
            Assert.Contains($"{call} is called by the engine only", error.Message);
        }

        // The client operations still answer, and nothing above was done.
        var info = await web.Client.GetIncident(incident);
        Assert.Equal(IncidentStatus.Pending, info.Status);
        Assert.Empty(await web.Client.GetSimulations(incident));
        await web.Silo.WaitForLogAsync("Refused IMachinePollerGrain.Track to client", TimeSpan.FromSeconds(10));
    }
}
