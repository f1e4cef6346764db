using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Samples;

/// <summary>The fire scenarios on the real engine (RabbitMQ, PostgreSQL, the loopback Slurm machine over SSH); the testing kit runs the same (KitFireScenarioTests).</summary>
[Collection(EngineCollection.Name)]
public sealed class FireScenarioTests(EngineFixture engine) : FireScenarioSuite, IFireScenarioEngine
{
    protected override IFireScenarioEngine Engine => this;

    public WorkflowClient Client => engine.Client;

    public string Machine => LoopbackHpc.Machine;

    public TimeSpan JoinTimeout => TimeSpan.FromSeconds(3);

    public Task<IncidentInfo> RunToEndAsync(Guid incident, TimeSpan passing) => engine.Client.WaitForEndAsync(incident, TimeSpan.FromSeconds(90) + passing);
}
