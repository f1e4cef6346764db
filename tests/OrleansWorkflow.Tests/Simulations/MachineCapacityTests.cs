using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>A machine's limits (MaxRunningJobs, EmergencyMargin) on the real loopback Slurm: jobs beyond them wait in the engine, the most urgent first.</summary>
[Collection(EngineCollection.Name)]
public sealed class MachineCapacityTests(EngineFixture engine)
{
    [Fact]
    public async Task Ten_routine_jobs_never_run_more_than_two_at_once_and_an_Emergency_one_goes_before_those_still_waiting()
    {
        var routine = new List<Guid>();
        for (var i = 0; i < 10; i++)
            routine.Add(await engine.SubmitTestJobAsync("#!/bin/bash\nsleep 2\n", LoopbackHpc.Capped));
        // The emergency comes once the engine holds routine jobs back: it must not wait behind them.
        await HpcTestJobs.UntilAsync(() => engine.Client.GetWaitingSimulations(LoopbackHpc.Capped), waiting => waiting.Count >= 5, "routine jobs to wait at the machine's limit");
        var emergency = await engine.SubmitTestJobAsync("#!/bin/bash\nsleep 2\n", LoopbackHpc.Capped, terms: new IncidentTerms { Urgency = IncidentUrgency.Emergency });

        var ends = new List<SimulationInfo>();
        foreach (var incident in routine.Append(emergency))
        {
            await engine.EndOfTestJobAsync(incident);
            ends.Add(Assert.Single(await engine.Client.GetSimulations(incident)));
        }

        Assert.All(ends, s => Assert.Equal(SimulationStatus.Completed, s.Status));
        var runs = await LoopbackHpc.RunTimesAsync(ends.Select(s => s.JobId!));
        Assert.Equal(11, runs.Count);
        var routineJobs = ends.Take(10).Select(s => s.JobId!).ToHashSet();
        Assert.InRange(MostAtOnce(runs.Where(r => routineJobs.Contains(r.Key)).Select(r => r.Value)), 1, LoopbackHpc.CappedRunningJobs);
        Assert.InRange(MostAtOnce(runs.Values), 1, LoopbackHpc.CappedRunningJobs + 1);
        var first = ends[^1];
        var passed = ends.Take(10).Where(s => s.SubmittedAt > first.CreatedAt).ToList();
        Assert.NotEmpty(passed);
        Assert.All(passed, s => Assert.True(s.SubmittedAt >= first.SubmittedAt, $"routine job {s.JobId} was submitted at {s.SubmittedAt:O}, before the emergency job (submitted at {first.SubmittedAt:O}) that waited since {first.CreatedAt:O}"));
    }

    /// <summary>The most of <paramref name="runs"/> running at one moment (a job that ends at the second another starts does not overlap it).</summary>
    private static int MostAtOnce(IEnumerable<(DateTime Start, DateTime End)> runs)
    {
        var all = runs.ToList();
        return all.Max(r => all.Count(o => o.Start <= r.Start && r.Start < o.End));
    }
}

/// <summary>Which waiting simulations a machine at its limits submits, and in which order.</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class MachineCapacityOrderTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    private static SimulationInfo Waiting(int minute, IncidentUrgency urgency = IncidentUrgency.Routine) =>
        new() { SimulationId = Guid.NewGuid(), Status = SimulationStatus.Requested, CreatedAt = Start.AddMinutes(minute), Urgency = urgency };

    [Fact]
    public void The_most_urgent_go_first_then_the_oldest_and_none_passes_the_limit_but_an_Emergency_by_its_margin()
    {
        var old = Waiting(0);
        var young = Waiting(5);
        var urgent = Waiting(9, IncidentUrgency.Urgent);
        var emergency = Waiting(10, IncidentUrgency.Emergency);
        var machine = new MachineOptions { MaxRunningJobs = 2, EmergencyMargin = 1 };

        Assert.Equal([emergency, urgent, old, young], MachineCapacity.InTurn([young, old, emergency, urgent]));
        Assert.Equal([emergency, urgent], MachineCapacity.ToSubmit([young, old, emergency, urgent], inScheduler: 0, submittedLastMinute: 0, machine));
        Assert.Equal([emergency], MachineCapacity.ToSubmit([young, old, emergency, urgent], inScheduler: 2, submittedLastMinute: 0, machine));
        Assert.Empty(MachineCapacity.ToSubmit([young, old, urgent], inScheduler: 2, submittedLastMinute: 0, machine));
        Assert.Equal([old, young], MachineCapacity.ToSubmit([young, old], inScheduler: 0, submittedLastMinute: 0, new MachineOptions()));
    }

    [Fact]
    public void The_tighter_of_queued_and_running_limits_holds_and_so_does_the_rate()
    {
        var jobs = Enumerable.Range(0, 6).Select(m => Waiting(m)).ToList();

        Assert.Equal(3, MachineCapacity.ToSubmit(jobs, 0, 0, new MachineOptions { MaxQueuedJobs = 3, MaxRunningJobs = 5 }).Count);
        Assert.Equal([jobs[0]], MachineCapacity.ToSubmit(jobs, 0, 3, new MachineOptions { SubmissionsPerMinute = 4 }));
        Assert.Equal(["Hpc:Machines:m:MaxRunningJobs is 0; set at least 1, or leave it out for no limit.", "Hpc:Machines:m:EmergencyMargin is -1; set 0 or more (how many jobs an Emergency may pass the limits by)."],
            new MachineOptions { MaxRunningJobs = 0, EmergencyMargin = -1 }.Problems("m").Where(p => p.Contains("MaxRunningJobs") || p.Contains("EmergencyMargin")));
    }
}
