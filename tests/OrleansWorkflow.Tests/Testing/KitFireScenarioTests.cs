using System.Text.RegularExpressions;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Testing;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Tests.Samples;

namespace OrleansWorkflow.Tests.Testing;

/// <summary>
/// The testing kit's engine for the fire scenarios: its fake machine runs the fire sample's dummy job as the real
/// one would (Running, then output.dat and exit 0, or the exit code a drill appended).
/// </summary>
public sealed class KitFireEngine : IAsyncLifetime, IFireScenarioEngine
{
    private WorkflowTestEnvironment _engine = null!;

    public WorkflowClient Client => _engine.Client;

    public string Machine => KitEngine.Machine;

    public TimeSpan JoinTimeout => TimeSpan.FromMinutes(30);

    public async Task InitializeAsync()
    {
        _engine = await KitEngine.StartAsync(inputsTimeout: null);
        _engine.Machine(Machine).OnSubmit(job =>
        {
            job.Start();
            if (Regex.Match(job.Request.Script, @"\nexit (\d+)\n$") is { Success: true } drill)
                job.Fail(int.Parse(drill.Groups[1].Value));
            else
                job.Complete(0, new Dictionary<string, string> { ["output.dat"] = "lots of fire - simulated remotely!\n" });
        });
    }

    public async Task<IncidentInfo> RunToEndAsync(Guid incident, TimeSpan passing)
    {
        await _engine.RunUntilQuietAsync();
        if (passing > TimeSpan.Zero)
            await _engine.AdvanceAsync(passing);
        return await _engine.Client.GetIncident(incident);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();
}

/// <summary>The fire scenarios on the testing kit, asserted as on the real engine (FireScenarioTests).</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class KitFireScenarioTests(KitFireEngine engine) : FireScenarioSuite, IClassFixture<KitFireEngine>
{
    protected override IFireScenarioEngine Engine => engine;
}
