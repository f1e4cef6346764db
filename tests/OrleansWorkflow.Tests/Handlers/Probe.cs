using System.Collections.Concurrent;

namespace OrleansWorkflow.Tests.Handlers;

/// <summary>What the test handlers did, seen from the tests (the silo runs in the test process).</summary>
public static class Probe
{
    public sealed record Run(string Queue, Guid IncidentId, DateTime Start, DateTime End, string Body = "{}");
    public sealed record Firing(Guid IncidentId, IReadOnlyList<string> Arrived, bool TimedOut, DateTime At);

    public static readonly ConcurrentBag<Run> Runs = new();
    public static readonly ConcurrentDictionary<Guid, int> JoinFired = new();
    public static readonly ConcurrentDictionary<Guid, int> FailedAttempts = new();
    public static readonly ConcurrentBag<Firing> JoinFirings = new();

    public static IReadOnlyList<Run> RunsOf(Guid incidentId) => [.. Runs.Where(r => r.IncidentId == incidentId).OrderBy(r => r.Start)];
}
