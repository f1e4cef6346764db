using OrleansWorkflow.Simulations.Machines;
using System.Text.Json.Nodes;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Simulations;

[Collection(HpcTimeLimitCollection.Name)]
public sealed class HpcTimeLimitTests(EngineFixture engine)
{
    [Fact]
    public async Task A_job_past_its_time_limit_reaches_the_workflow_as_TIMEOUT()
    {
        LoopbackHpc.Require(engine.Options<HpcOptions>());
        var incident = await engine.Client.CreateIncident("hpc time limit", "TEST");
        // Slurm's shortest limit is one minute, and it checks limits about every 30 s.
        await engine.Client.Send(HpcTestQueues.Submit, new JsonObject
        {
            ["IncidentID"] = incident.ToString(),
            ["machine"] = LoopbackHpc.Machine,
            ["script"] = "#!/bin/bash\nsleep 600\n",
            ["time_limit_minutes"] = 1,
        });
        await engine.Client.FlushMessages();

        var persisted = await Eventually.UntilAsync(() => engine.Handler(incident, HpcTestQueues.End).GetPersisted(),
            p => p.Count > 0, TimeSpan.FromMinutes(4), "the job to time out");

        var end = JsonNode.Parse(Assert.Single(persisted))!.AsObject();
        Assert.Equal("TIMEOUT", end["status"]!.GetValue<string>());
        Assert.Equal(SimulationStatus.Timeout, (await engine.Client.GetSimulations(incident)).Single().Status);
    }
}
