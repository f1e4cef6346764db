using System.Reflection;
using OrleansWorkflow.Access;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.AB;
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
        await web.Silo.WaitForLogAsync("Refused IMachinePollerGrain.Track to client", TimeSpan.FromSeconds(60));
    }

    /// <summary>The grain interfaces a client may call through a gateway; every other grain interface of the engine is engine-only.</summary>
    private static readonly Type[] ClientSurface =
        [typeof(IIncidentGrain), typeof(IIncidentBatchGrain), typeof(IIncidentCatalogGrain), typeof(IRetentionGrain), typeof(IMachineRegistryGrain), typeof(IMachineWaitingList), typeof(ISchedulesGrain), typeof(IIncidentDataList), typeof(IWorkflowHandler)];

    /// <summary>Every grain interface of the engine's assemblies (abstractions, handler contract, engine, web view).</summary>
    private static IEnumerable<Type> EngineGrainInterfaces() =>
        new[] { typeof(IIncidentGrain).Assembly, typeof(HandlerGrain).Assembly, typeof(OrleansWorkflow.Hosting.HandlerRegistry).Assembly, typeof(OrleansWorkflow.Web.WorkflowWebExtensions).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t) && t.Namespace?.StartsWith("OrleansWorkflow", StringComparison.Ordinal) == true)
            .Where(t => !t.IsDefined(typeof(System.CodeDom.Compiler.GeneratedCodeAttribute)));

    [Fact]
    public async Task Every_method_of_every_grain_interface_that_is_not_client_surface_is_refused_to_a_gateway_client()
    {
        var engineOnly = EngineGrainInterfaces().Except(ClientSurface).OrderBy(t => t.Name).ToList();
        // A new public grain interface is client surface only once it is added to the list above on purpose.
        Assert.All(engineOnly, t => Assert.False(t.IsPublic, $"{t.Name} is a public grain interface missing from ClientSurface"));
        Assert.All(engineOnly, t => Assert.True(t.IsDefined(typeof(EngineOnlyAttribute)), $"{t.Name} is an internal grain interface without [EngineOnly]"));

        var incident = await web.Client.CreateIncident("engine only, every call", "TEST");
        var tried = new List<string>();
        foreach (var type in engineOnly)
        {
            var grain = GrainOf(type, incident);
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                var call = $"{type.Name}.{method.Name}";
                var arguments = method.GetParameters().Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
                var oneWay = method.IsDefined(typeof(Orleans.Concurrency.OneWayAttribute));
                var attempt = () => Awaited(method.Invoke(grain, arguments));
                if (oneWay)
                    await attempt(); // no answer comes back: the silo's log says it refused
                else
                    Assert.Contains($"{call} is called by the engine only", (await Assert.ThrowsAsync<UnauthorizedAccessException>(attempt)).Message);
                await web.Silo.WaitForLogAsync($"Refused {call} to client", TimeSpan.FromSeconds(30));
                tried.Add(call);
            }
        }

        // Each of the twelve engine-only interfaces had its methods tried, and nothing was done to the incident.
        Assert.Equal(12, engineOnly.Count);
        Assert.Equal(engineOnly.Sum(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Length), tried.Count);
        Assert.Contains("IHandlerDelivery.Deliver", tried);
        var info = await web.Client.GetIncident(incident);
        Assert.Equal(IncidentStatus.Pending, info.Status);
        Assert.Empty(await web.Client.GetSteps(incident));
    }

    [Fact]
    public void Every_method_of_the_client_surface_is_a_read_or_a_change_with_the_role_it_needs()
    {
        string[] reads =
        [
            "IIncidentGrain.GetInfo", "IIncidentGrain.GetSteps", "IIncidentGrain.GetSimulations", "IIncidentGrain.GetJoins",
            "IIncidentGrain.GetDeadLetters", "IIncidentGrain.Watch", "IIncidentCatalogGrain.List", "IMachineRegistryGrain.List", "IMachineRegistryGrain.Get",
            "IMachineWaitingList.GetWaiting", "ISchedulesGrain.List", "IIncidentDataList.GetData",
        ];
        var methods = ClientSurface.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)).ToList();

        // A method added to the client surface fails this test until it is named a read here or given a role in GatewayChanges.
        Assert.Equal(reads.Order(), methods.Where(m => !GatewayChanges.Roles.ContainsKey(m)).Select(m => $"{m.DeclaringType!.Name}.{m.Name}").Order());
        Assert.Equal(["IIncidentBatchGrain.CreateMany:operator", "IIncidentGrain.Cancel:operator", "IIncidentGrain.Complete:operator", "IIncidentGrain.Create:operator", "IMachineRegistryGrain.SetMode:operator", "IRetentionGrain.PurgeFinished:admin"],
            GatewayChanges.Roles.Select(r => $"{r.Key.DeclaringType!.Name}.{r.Key.Name}:{r.Value}").Order());
    }

    /// <summary>A reference to a grain of <paramref name="type"/>, through a handler registered on the silo for the handlers' own interface.</summary>
    private object GrainOf(Type type, Guid incident)
    {
        var grains = web.Client.Grains;
        // The engine's calls into handlers are a grain extension of every handler grain.
        if (typeof(IWorkflowHandler).IsAssignableFrom(type) || typeof(IGrainExtension).IsAssignableFrom(type))
            return typeof(GrainExtensions).GetMethod(nameof(GrainExtensions.AsReference), 1, [typeof(IAddressable)])!.MakeGenericMethod(type)
                .Invoke(null, [grains.GetGrain<IAHandler>(incident, ABWorkflow.AQueue)])!;
        if (typeof(IGrainWithGuidKey).IsAssignableFrom(type))
            return grains.GetGrain(type, incident);
        if (typeof(IGrainWithIntegerKey).IsAssignableFrom(type))
            return grains.GetGrain(type, 0L);
        if (typeof(IGrainWithStringKey).IsAssignableFrom(type))
            return grains.GetGrain(type, "loopback");
        throw new InvalidOperationException($"{type.Name} has a key this test does not know; add it here.");
    }

    private static async Task Awaited(object? result)
    {
        switch (result)
        {
            case Task task: await task; break;
            case ValueTask task: await task; break;
            default:
                if (result?.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ValueTask<>))
                    await (Task)type.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!;
                break;
        }
    }
}
