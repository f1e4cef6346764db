using System.Reflection;
using Orleans.Concurrency;

namespace OrleansWorkflow.Bench;

/// <summary>
/// Counts the grain calls the bench silo makes (an Orleans outgoing call filter, registered by the bench silo only):
/// deliveries into handler grains apart, awaited calls and one-way calls. The bench asks for the counts around a
/// scenario through the silo's standard input (<see cref="Request"/>) and reads them from its output.
/// </summary>
public sealed class GrainCallCounter : IOutgoingGrainCallFilter
{
    public const string Request = "calls";
    public const string Prefix = "[calls] ";

    private long _deliveries;
    private long _awaited;
    private long _oneWay;

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        var method = context.InterfaceMethod;
        if (method?.Name == "Deliver")
            Interlocked.Increment(ref _deliveries);
        else if (method?.GetCustomAttribute<OneWayAttribute>() is not null)
            Interlocked.Increment(ref _oneWay);
        else
            Interlocked.Increment(ref _awaited);
        return context.Invoke();
    }

    /// <summary>The line the silo prints when asked.</summary>
    public string Report() => $"{Prefix}{Interlocked.Read(ref _deliveries)} {Interlocked.Read(ref _awaited)} {Interlocked.Read(ref _oneWay)}";

    /// <summary>Reads a <see cref="Report"/> line.</summary>
    public static GrainCalls Parse(string line)
    {
        var parts = line[Prefix.Length..].Split(' ');
        return new GrainCalls(long.Parse(parts[0]), long.Parse(parts[1]), long.Parse(parts[2]));
    }
}

/// <summary>Grain calls made by the silo: deliveries into handler grains, other awaited calls, one-way calls.</summary>
public readonly record struct GrainCalls(long Deliveries, long Awaited, long OneWay)
{
    public static GrainCalls operator -(GrainCalls after, GrainCalls before) =>
        new(after.Deliveries - before.Deliveries, after.Awaited - before.Awaited, after.OneWay - before.OneWay);
}
