using OrleansWorkflow.Tests.Infrastructure;
using System.Reflection;
using Orleans.Concurrency;
using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Tests.Engine;

/// <summary>The incident grain changes itself in turns of its own: only its reads interleave.</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class IncidentTurnsTests
{
    [Fact]
    public void Only_the_incidents_reads_interleave()
    {
        var interleaving = new[] { typeof(IIncidentGrain), typeof(IIncidentBookkeeping) }
            .SelectMany(i => i.GetMethods())
            .Where(m => m.GetCustomAttribute<AlwaysInterleaveAttribute>() is not null)
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .Order()
            .ToList();

        Assert.Equal(["IIncidentGrain.GetDeadLetters", "IIncidentGrain.GetInfo", "IIncidentGrain.GetJoins", "IIncidentGrain.GetSimulations", "IIncidentGrain.GetSteps"], interleaving);
    }
}
