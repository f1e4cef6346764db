using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Samples.Fire;
using OrleansWorkflow.Samples.Starter;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Testing;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Testing;

/// <summary>One in-process engine of the testing kit for the class: the fire sample's handlers and the test handlers.</summary>
public sealed class KitEngine : IAsyncLifetime
{
    /// <summary>The fake HPC machine the remote fire path submits to.</summary>
    public const string Machine = "fake-hpc";

    /// <summary>A fake machine that takes at most two of the engine's jobs at once (an Emergency one more).</summary>
    public const string CappedMachine = "fake-capped";

    public WorkflowTestEnvironment Engine { get; private set; } = null!;

    public async Task InitializeAsync() => Engine = await StartAsync(inputsTimeout: null);

    /// <summary>An engine of the fire sample (no pretended work, no transcript) and the test handlers; the fire join waits <paramref name="inputsTimeout"/> at most.</summary>
    public static Task<WorkflowTestEnvironment> StartAsync(TimeSpan? inputsTimeout) =>
        WorkflowTestEnvironment.StartAsync(workflow =>
        {
            workflow.AddHandlersFrom(typeof(FireWorkflow).Assembly).AddTestHandlers().AddFakeMachine(Machine)
                .AddFakeMachine(CappedMachine, machine => machine.MaxRunningJobs = 2);
            workflow.Services.Configure<FireSettings>(fire => (fire.WorkTime, fire.InputsTimeout, fire.PrintTranscript, fire.Machine) = (TimeSpan.Zero, inputsTimeout, false, Machine));
        });

    public async Task DisposeAsync() => await Engine.DisposeAsync();
}

/// <summary>The testing kit runs the engine's own rules in this process, with no broker, database or machine.</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class KitTests(KitEngine kit) : IClassFixture<KitEngine>
{
    private WorkflowTestEnvironment Engine => kit.Engine;

    [Fact]
    public async Task The_join_waits_for_all_three_inputs_and_fires_on_the_third()
    {
        var incident = await Engine.Client.CreateIncident("join", FireWorkflow.Kind);

        var first = await Engine.HandleAsync(incident, FireWorkflow.FireSimulation, new JsonObject { ["data"] = "terrain" }, FireWorkflow.FireTerrain);
        var second = await Engine.HandleAsync(incident, FireWorkflow.FireSimulation, new JsonObject { ["data"] = "hotspot" }, FireWorkflow.FireHotspot);
        var third = await Engine.HandleAsync(incident, FireWorkflow.FireSimulation, new JsonObject { ["data"] = "weather" }, FireWorkflow.WeatherResults);

        Assert.Equal(("handled", 0, 0), (first.Outcome, first.Sent.Count, first.Scheduled.Count));
        Assert.Equal(("handled", 0, 0), (second.Outcome, second.Sent.Count, second.Scheduled.Count));
        Assert.Equal(new JoinStep(FireWorkflow.FireInputs, Opened: true, FireWorkflow.FireTerrain, Fired: false, TimedOut: false), Assert.Single(first.Joins));
        Assert.Equal(new JoinStep(FireWorkflow.FireInputs, Opened: false, FireWorkflow.WeatherResults, Fired: true, TimedOut: false), Assert.Single(third.Joins));
        Assert.Equal(FireWorkflow.FireResults, Assert.Single(third.Sent).Queue);
        Assert.Equal("lots of fire - simulated locally!", third.Sent[0].Body["results"]!.GetValue<string>());
        Assert.False(third.Completed);
    }

    [Fact]
    public async Task A_30_minute_join_timeout_passes_on_the_fake_clock_and_the_join_fires_with_what_arrived()
    {
        var timeout = TimeSpan.FromMinutes(30);
        await using var engine = await KitEngine.StartAsync(timeout);
        var incident = await engine.Client.CreateIncident("timeout", FireWorkflow.Kind);
        await engine.SendAsync(incident, FireWorkflow.FireTerrain, new JsonObject { ["data"] = "terrain" });
        await engine.SendAsync(incident, FireWorkflow.FireHotspot, new JsonObject { ["data"] = "hotspot" });
        await engine.RunUntilQuietAsync();
        var waiting = (await engine.Client.GetSteps(incident)).First(s => s.Queue == FireWorkflow.FireSimulation);

        await engine.AdvanceAsync(timeout - TimeSpan.FromSeconds(1));
        var before = await engine.Client.GetIncident(incident);
        await engine.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(IncidentStatus.Active, before.Status);
        Assert.Equal(IncidentStatus.Completed, (await engine.Client.GetIncident(incident)).Status);
        var simulations = (await engine.Client.GetSteps(incident)).Where(s => s.Queue == FireWorkflow.FireSimulation).ToList();
        // The first input scheduled the join's timeout (a send to fire_simulation itself); the timeout fired the join.
        Assert.Equal([[FireWorkflow.FireSimulation], [], [FireWorkflow.FireResults]], simulations.Select(s => s.SentTo));
        Assert.Equal([FireWorkflow.FireHotspot, FireWorkflow.FireSimulation, FireWorkflow.FireTerrain], simulations.Select(s => s.Originator!).Order());
        Assert.Equal(waiting.StartedAt + timeout, simulations[2].StartedAt);
    }

    [Fact]
    public async Task A_remote_fire_incident_runs_its_simulation_as_one_job_and_completes_with_the_jobs_output()
    {
        var (incident, job) = await StartRemoteFireAsync();

        job.Start().Complete(0, new Dictionary<string, string> { ["output.dat"] = "lots of fire - simulated remotely!\n" });
        await Engine.RunUntilQuietAsync();

        Assert.Equal(IncidentStatus.Completed, (await Engine.Client.GetIncident(incident)).Status);
        Assert.Equal(FireSubmitJobHandler.DummyJob, job.Request.Script);
        var simulation = Assert.Single(await Engine.Client.GetSimulations(incident));
        Assert.Equal((SimulationStatus.Completed, 0, job.JobId), (simulation.Status, simulation.ExitCode, simulation.JobId));
        Assert.Single(Engine.SentTo(FireWorkflow.RemoteFireResults), m => m.Body["IncidentID"]!.GetValue<string>() == incident.ToString());
    }

    [Fact]
    public async Task A_job_the_scheduler_forgets_is_Lost_after_LostAfter_of_workflow_time_and_the_incident_Cancelled()
    {
        var (incident, job) = await StartRemoteFireAsync();

        job.Lose();
        await Engine.RunUntilQuietAsync();
        var unanswered = (await Engine.Client.GetSimulations(incident)).Single().Status;
        await Engine.AdvanceAsync(new OrleansWorkflow.Simulations.Machines.MachineOptions().LostAfter + TimeSpan.FromMinutes(1));

        Assert.Equal(SimulationStatus.Queued, unanswered);
        Assert.Equal(SimulationStatus.Lost, (await Engine.Client.GetSimulations(incident)).Single().Status);
        var end = await Engine.Client.GetIncident(incident);
        Assert.Equal((IncidentStatus.Cancelled, $"the remote fire simulation (job {job.JobId} on {KitEngine.Machine}) ended LOST"), (end.Status, end.Reason));
    }

    [Fact]
    public async Task A_send_for_later_is_kept_until_the_fake_clock_reaches_it()
    {
        var incident = await Engine.Client.CreateIncident("later", "TEST");

        var run = await Engine.HandleAsync(incident, TestQueues.SendLater, new JsonObject { ["after_ms"] = 600_000, ["step"] = "later" });
        await Engine.RunUntilQuietAsync();
        var before = await Engine.Client.GetSteps(incident);
        await Engine.AdvanceAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(TestQueues.Record, Assert.Single(run.Scheduled).Queue);
        Assert.Equal(TimeSpan.FromMinutes(10), run.Scheduled[0].DueAt - before[0].StartedAt);
        Assert.DoesNotContain(before, s => s.Queue == TestQueues.Record);
        var later = Assert.Single(await Engine.Client.GetSteps(incident), s => s.Queue == TestQueues.Record);
        Assert.Equal(before[0].StartedAt + TimeSpan.FromMinutes(10), later.StartedAt);
    }

    [Fact]
    public async Task A_passed_deadline_goes_to_the_kinds_deadline_queue_and_marks_the_incident_overdue()
    {
        var deadline = Engine.Clock.GetUtcNow() + TimeSpan.FromHours(1);
        var incident = await Engine.Client.CreateIncident("deadline", TestQueues.DeadlineKind, terms: new IncidentTerms { Deadline = deadline });

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(59));
        var before = await Engine.Client.GetIncident(incident);
        await Engine.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.False(before.Overdue);
        var info = await Engine.Client.GetIncident(incident);
        Assert.Equal(deadline, info.OverdueSince);
        var told = Assert.Single(await Engine.Client.GetSteps(incident));
        Assert.Equal((TestQueues.Record, "deadline"), (told.Queue, told.Originator));
    }

    [Fact]
    public async Task A_machine_at_its_limit_holds_jobs_back_and_lets_an_Emergency_one_pass_the_routine_ones_waiting()
    {
        var machine = Engine.Machine(KitEngine.CappedMachine);
        var routine = new List<Guid>();
        for (var i = 0; i < 4; i++)
            routine.Add(await SubmitJobAsync(IncidentUrgency.Routine));
        await Engine.RunUntilQuietAsync();
        var atLimit = machine.Jobs.Count;

        var emergency = await SubmitJobAsync(IncidentUrgency.Emergency);
        await Engine.RunUntilQuietAsync();
        var withEmergency = machine.Jobs.Count;
        machine.Jobs[0].Start().Complete();
        await Engine.RunUntilQuietAsync();
        var afterOneRoutineEnded = machine.Jobs.Count;
        machine.Jobs[2].Start().Complete();
        await Engine.RunUntilQuietAsync();

        Assert.Equal((2, 3, 3), (atLimit, withEmergency, afterOneRoutineEnded));
        Assert.Equal(4, machine.Jobs.Count);
        var incidents = machine.Jobs.Select(j => Guid.Parse(j.WorkingDirectory.Split('/')[^2])).ToList();
        Assert.Equal([routine[0], routine[1], emergency, routine[2]], incidents);
        Assert.Equal([routine[3]], (await Engine.Client.GetWaitingSimulations(KitEngine.CappedMachine)).Select(s => s.IncidentId));
    }

    private async Task<Guid> SubmitJobAsync(IncidentUrgency urgency)
    {
        var incident = await Engine.Client.CreateIncident("capacity", "TEST", terms: new IncidentTerms { Urgency = urgency });
        await Engine.SendAsync(incident, HpcTestQueues.Submit, new JsonObject { ["machine"] = KitEngine.CappedMachine, ["script"] = "#!/bin/bash\nexit 0\n" });
        return incident;
    }

    /// <summary>A remote fire incident run until its one job waits on the fake machine, the incident still Active.</summary>
    private async Task<(Guid Incident, FakeJob Job)> StartRemoteFireAsync()
    {
        var incident = await Examples.StartFireAsync(Engine.Client, remote: true);
        await Engine.RunUntilQuietAsync();
        var job = Assert.Single(Engine.Machine(KitEngine.Machine).Jobs, j => j.WorkingDirectory.Contains(incident.ToString()));
        Assert.Equal((IncidentStatus.Active, SimulationStatus.Queued), ((await Engine.Client.GetIncident(incident)).Status, job.Status));
        return (incident, job);
    }

    [Fact]
    public async Task A_failing_handler_is_tried_four_times_then_dead_lettered_and_its_incident_marked_Error()
    {
        var incident = await Engine.Client.CreateIncident("fails", "TEST");
        var before = Engine.DeadLettersOf(TestQueues.Fail).Count;

        var run = await Engine.HandleAsync(incident, TestQueues.Fail, new JsonObject());

        Assert.Equal("dead-lettered", run.Outcome);
        Assert.Equal("handler failed 4 times; last error: InvalidOperationException: simulated failure in test_fail", run.DeadLetterReason);
        Assert.Equal(before + 1, Engine.DeadLettersOf(TestQueues.Fail).Count);
        var info = await Engine.Client.GetIncident(incident);
        Assert.Equal(IncidentStatus.Error, info.Status);
        Assert.Equal(4, (await Engine.Client.GetSteps(incident)).Count(s => s.Outcome == StepOutcome.Failed));
        Assert.Single(await Engine.Client.GetDeadLetters(incident));
    }

    [Fact]
    public async Task A_message_delivered_twice_is_handled_once()
    {
        var incident = await Engine.Client.CreateIncident("twice", "TEST");
        var message = new JsonObject { ["step"] = "once" };
        var messageId = await Engine.SendAsync(incident, TestQueues.Record, message);
        await Engine.RunUntilQuietAsync();

        Engine.Redeliver(messageId);
        var delivered = await Engine.RunUntilQuietAsync();

        Assert.Equal(1, delivered);
        Assert.Single(await Engine.Client.GetSteps(incident));
    }
}

/// <summary>Schedules (Workflow:Schedules) on the testing kit's fake clock: one incident per due time, missed ones as the schedule says.</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class KitScheduleTests
{
    private static Task<WorkflowTestEnvironment> StartAsync(OrleansWorkflow.Time.MissedFires missed) =>
        WorkflowTestEnvironment.StartAsync(workflow =>
        {
            workflow.AddTestHandlers();
            workflow.Services.Configure<OrleansWorkflow.Hosting.WorkflowOptions>(options => options.Schedules["drill"] = new OrleansWorkflow.Time.ScheduleOptions
            {
                Cron = "0 * * * *", Kind = "TEST", Queue = TestQueues.Record, Message = """{"step": "drill"}""", Missed = missed,
            });
        });

    private static async Task<IReadOnlyList<IncidentInfo>> DrillsAsync(WorkflowTestEnvironment engine) =>
        (await engine.Client.ListIncidents(new IncidentQuery(Kind: "TEST"))).OrderBy(i => i.IncidentDate).ToList();

    [Theory]
    [InlineData(OrleansWorkflow.Time.MissedFires.RunOnce)]
    [InlineData(OrleansWorkflow.Time.MissedFires.Skip)]
    public async Task An_hourly_schedule_ticked_every_minute_creates_one_incident_per_hour_and_sends_it_its_message(OrleansWorkflow.Time.MissedFires missed)
    {
        await using var engine = await StartAsync(missed);
        var start = engine.Clock.GetUtcNow();

        for (var minute = 0; minute < 180; minute++)
            await engine.AdvanceAsync(TimeSpan.FromMinutes(1));

        var drills = await DrillsAsync(engine);
        var schedule = Assert.Single(await engine.Client.GetSchedules());
        Assert.Equal(("drill", "0 * * * *", "TEST", drills[^1].IncidentDate, drills[^1].IncidentDate.AddHours(1)),
            (schedule.Name, schedule.Cron, schedule.Kind, schedule.LastDue, schedule.NextDue));
        var hours = Enumerable.Range(1, 3).Select(h => new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, 0, 0, TimeSpan.Zero).AddHours(h)).ToList();
        Assert.Equal(hours, drills.Select(d => d.IncidentDate));
        foreach (var drill in drills)
        {
            var step = Assert.Single(await engine.Client.GetSteps(drill.IncidentId));
            Assert.Equal((TestQueues.Record, "schedule"), (step.Queue, step.Originator));
        }
    }

    [Theory]
    [InlineData(OrleansWorkflow.Time.MissedFires.RunOnce, 1)]
    [InlineData(OrleansWorkflow.Time.MissedFires.Skip, 0)]
    public async Task Due_times_missed_while_no_silo_ran_are_fired_once_or_skipped_as_the_schedule_says(OrleansWorkflow.Time.MissedFires missed, int fired)
    {
        await using var engine = await StartAsync(missed);

        await engine.AdvanceAsync(TimeSpan.FromHours(5));

        Assert.Equal(fired, (await DrillsAsync(engine)).Count);
    }
}
