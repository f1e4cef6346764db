using System.Diagnostics;
using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>Jobs on the real loopback Slurm, submitted and polled over the real sshd, their ends delivered through RabbitMQ.</summary>
[Collection(HpcCollection.Name)]
public sealed class HpcSimulationTests(EngineFixture engine)
{
    [Fact]
    public async Task A_job_exiting_with_code_3_reaches_the_workflow_as_FAILED_with_exit_code_3()
    {
        var incident = await SubmitAsync("#!/bin/bash\ncat input.txt\nexit 3\n");

        var end = await EndOfAsync(incident);

        Assert.Equal("FAILED", end["status"]!.GetValue<string>());
        Assert.Equal(3, end["exitCode"]!.GetValue<int>());
        Assert.Equal(LoopbackHpc.Machine, end["machine"]!.GetValue<string>());
        Assert.Equal(SimulationSource.Of(LoopbackHpc.Machine), end["originator"]!.GetValue<string>());
        var simulation = Assert.Single(await engine.Client.GetSimulations(incident));
        Assert.Equal(SimulationStatus.Failed, simulation.Status);
        Assert.Equal(end["jobId"]!.GetValue<string>(), simulation.JobId);
    }

    [Fact]
    public async Task The_SSH_submission_and_the_job_end_are_spans_of_the_incidents_trace()
    {
        using var traces = new TraceRecorder();
        var incident = await SubmitAsync("#!/bin/bash\nexit 0\n");
        var end = await EndOfAsync(incident);

        var spans = traces.Of(incident);
        var attempts = spans.Where(s => s.OperationName == $"submit to {LoopbackHpc.Machine}").ToList();
        var submission = Assert.Single(attempts, s => s.Status != ActivityStatusCode.Error);
        // An attempt refused or cut off while another collection holds sshd down is a span too, marked as an error
        // with one of the machine-unreachable messages (refused, cut off mid-submission, or waiting out the backoff).
        Assert.All(attempts.Where(s => s != submission),
            s => Assert.Matches(@"^Machine \S+ \(\S+\)( is unreachable| cannot be reached as |: connection lost)", s.StatusDescription));
        Assert.Equal(incident.ToString("N"), submission.TraceId.ToHexString());
        Assert.Equal(end["jobId"]!.GetValue<string>(), submission.GetTagItem("owf.job_id"));
        // The end told to the workflow (published by the simulation) is handled in the same trace.
        Assert.Contains(spans, s => s.OperationName == $"process {HpcTestQueues.End}" && s.TraceId == submission.TraceId);
    }

    [Fact]
    public async Task A_job_cancelled_with_scancel_reaches_the_workflow_as_CANCELLED()
    {
        var incident = await SubmitAsync("#!/bin/bash\nsleep 300\n");
        var running = await RunningSimulationAsync(incident);

        await LoopbackHpc.ScancelAsync(running.JobId!);
        var end = await EndOfAsync(incident);

        Assert.Equal("CANCELLED", end["status"]!.GetValue<string>());
        Assert.Equal(running.JobId, end["jobId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancelling_the_incident_cancels_its_running_job_on_the_scheduler()
    {
        var incident = await SubmitAsync("#!/bin/bash\nsleep 300\n");
        var running = await RunningSimulationAsync(incident);

        await engine.Client.Cancel(incident, "the fire is out");

        await HpcTestJobs.UntilAsync(() => LoopbackHpc.JobStateAsync(running.JobId!), state => state == "CANCELLED", "Slurm to cancel the job");
        var recorded = await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(incident)).Single(),
            s => s.Status == SimulationStatus.Cancelled, "the simulation to be recorded Cancelled");
        Assert.Equal(running.JobId, recorded.JobId);
        // The incident is finished: its workflow is not sent the job's end.
        Assert.Empty(await engine.Handler(incident, HpcTestQueues.End).GetPersisted());
    }

    [Fact]
    public async Task A_machine_whose_host_key_differs_from_the_pinned_one_is_refused_naming_the_machine_and_the_key_seen()
    {
        var loopback = LoopbackHpc.Require(engine.Options<HpcOptions>());
        var incident = await SubmitAsync("#!/bin/bash\nexit 0\n", LoopbackHpc.Impostor);

        var refused = await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(incident)).SingleOrDefault(),
            s => s?.Detail?.Contains("host key") == true, "the refused submission to be recorded");

        Assert.Equal(SimulationStatus.Requested, refused!.Status);
        Assert.Null(refused.JobId);
        Assert.Contains($"Machine {LoopbackHpc.Impostor}", refused.Detail);
        Assert.Contains(LoopbackHpc.HostKeyFingerprint(loopback), refused.Detail);
        Assert.Empty(await LoopbackHpc.JobsUnderAsync($"{loopback.BaseDirectory}/{incident}"));

        // A simulation of a cancelled incident is never submitted, and stops being retried.
        await engine.Client.Cancel(incident, "test over");
        await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(incident)).Single(),
            s => s.Status == SimulationStatus.Cancelled, "the unsubmitted simulation to be cancelled");
        await HpcTestJobs.UntilAsync(() => engine.Grains.GetGrain<IMachinePollerGrain>(LoopbackHpc.Impostor).GetTracked(),
            tracked => !tracked.Contains(refused.SimulationId), "the poller to let go of it");
    }

    [Theory]
    [InlineData(LoopbackHpc.Machine)]
    [InlineData(LoopbackHpc.Rest)]
    public async Task A_repeated_submission_adopts_the_job_already_submitted_by_its_id_file_or_by_its_name(string machineName)
    {
        var machine = engine.Machines.Get(machineName);
        var (incidentId, simulationId) = (Guid.NewGuid(), Guid.NewGuid());
        var directory = machine.WorkingDirectoryOf(incidentId, simulationId);
        var request = new SimulationRequest { Machine = machineName, Script = "#!/bin/bash\nsleep 30\n", NotifyQueue = HpcTestQueues.End };

        var first = await machine.SubmitAsync(simulationId, directory, request, OrleansWorkflow.Simulations.Data.DataInputs.None.Links, CancellationToken.None);
        var again = await machine.SubmitAsync(simulationId, directory, request, OrleansWorkflow.Simulations.Data.DataInputs.None.Links, CancellationToken.None);
        File.Delete(Path.Combine(directory, ".owf-job-id")); // as if the submitter died before recording the id
        var byName = await machine.SubmitAsync(simulationId, directory, request, OrleansWorkflow.Simulations.Data.DataInputs.None.Links, CancellationToken.None);

        Assert.False(first.Adopted);
        Assert.Equal((first.JobId, true), again);
        Assert.Equal((first.JobId, true), byName);
        Assert.Equal([first.JobId], await LoopbackHpc.JobsUnderAsync(directory));
        await LoopbackHpc.ScancelAsync(first.JobId);
    }

    [Fact]
    public async Task Jobs_that_end_while_sshd_is_down_for_30_seconds_are_never_reported_early_and_their_true_ends_arrive_after()
    {
        await using var sshd = await LoopbackHpc.ReserveSshdOutageAsync();
        var completes = await SubmitAsync("#!/bin/bash\nsleep 8\nexit 0\n");
        var fails = await SubmitAsync("#!/bin/bash\nsleep 12\nexit 4\n");
        var jobs = new[] { await RunningSimulationAsync(completes), await RunningSimulationAsync(fails) };

        await using (await sshd.StopAsync())
        {
            var outage = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < outage)
            {
                foreach (var incident in new[] { completes, fails })
                {
                    Assert.Empty(await engine.Handler(incident, HpcTestQueues.End).GetPersisted());
                    Assert.False((await engine.Client.GetSimulations(incident)).Single().Status.IsFinished());
                }
                await Task.Delay(500);
            }
            // Both jobs really ended during the outage.
            foreach (var job in jobs)
                Assert.NotEqual("RUNNING", await LoopbackHpc.JobStateAsync(job.JobId!));
        }

        var completed = await EndOfAsync(completes);
        var failed = await EndOfAsync(fails);
        Assert.Equal(("COMPLETED", 0), (completed["status"]!.GetValue<string>(), completed["exitCode"]!.GetValue<int>()));
        Assert.Equal(("FAILED", 4), (failed["status"]!.GetValue<string>(), failed["exitCode"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_file_read_while_sshd_is_down_waits_for_the_machine_instead_of_failing_the_handler()
    {
        await using var sshd = await LoopbackHpc.ReserveSshdOutageAsync();
        var incident = await SubmitAsync("#!/bin/bash\necho 'the fire spreads east' > result.txt\n");
        var read = (JsonObject)(await EndOfAsync(incident)).DeepClone();
        read["file"] = "result.txt";

        await using (await sshd.StopAsync())
        {
            await engine.Client.Send(HpcTestQueues.Read, read);
            await engine.Client.FlushMessages();
            await Task.Delay(TimeSpan.FromSeconds(20));
            Assert.Empty(await engine.Handler(incident, HpcTestQueues.Read).GetPersisted());
            Assert.Empty(await engine.Client.GetDeadLetters(incident)); // its own: other tests dead-letter on this queue
            Assert.NotEqual(IncidentStatus.Error, (await engine.Client.GetIncident(incident)).Status);
        }

        var persisted = await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.Read).GetPersisted(),
            p => p.Count > 0, "the file to be read once sshd is back");
        Assert.Equal("the fire spreads east\n", JsonNode.Parse(Assert.Single(persisted))!["content"]!.GetValue<string>());
        Assert.NotEqual(IncidentStatus.Error, (await engine.Client.GetIncident(incident)).Status);
        Assert.Empty(await engine.Client.GetDeadLetters(incident)); // its own: other tests dead-letter on this queue
    }

    [Fact]
    public async Task A_job_submitted_with_partition_reservation_nodes_tasks_and_memory_shows_them_in_scontrol()
    {
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\nsleep 30\n", request: new JsonObject
        {
            ["partition"] = "urgent", ["reservation"] = "owf_urgent", ["nodes"] = 1, ["tasks_per_node"] = 2, ["memory_mb"] = 100,
        });
        var simulation = await SubmittedSimulationAsync(incident);

        var job = await TestServices.RunAsync("scontrol", "-o", "show", "job", simulation.JobId!);
        Assert.Contains(" Partition=urgent ", job);
        Assert.Contains(" Reservation=owf_urgent", job);
        Assert.Contains(" NumNodes=1", job);
        Assert.Contains(" NumTasks=2 ", job);
        Assert.Contains(" MinMemoryNode=100M ", job);
        await LoopbackHpc.ScancelAsync(simulation.JobId!);
        await EndOfAsync(incident);
    }

    [Fact]
    public async Task An_emergency_incidents_job_runs_where_the_machine_places_emergencies()
    {
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\nsleep 30\n", terms: new IncidentTerms { Urgency = IncidentUrgency.Emergency });
        var simulation = await SubmittedSimulationAsync(incident);

        var job = await TestServices.RunAsync("scontrol", "-o", "show", "job", simulation.JobId!);
        Assert.Contains(" Partition=urgent ", job);
        Assert.Contains(" Reservation=owf_urgent", job);
        await LoopbackHpc.ScancelAsync(simulation.JobId!);
        // Its end went to the emergency queue of the end handler's node, and was handled there.
        Assert.Equal("CANCELLED", (await EndOfAsync(incident))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Queued_and_Running_notices_arrive_once_each_in_order_before_the_end()
    {
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\nsleep 6\n", request: new JsonObject { ["notify_on"] = "Queued, Running, End" });

        var told = await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.End).GetPersisted(), p => p.Count >= 3, "the three notices");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a repeat would come in this time
        told = await engine.Handler(incident, HpcTestQueues.End).GetPersisted();

        var statuses = told.Select(t => JsonNode.Parse(t)!["status"]!.GetValue<string>()).ToList();
        Assert.Equal(["QUEUED", "RUNNING", "COMPLETED"], statuses);
        var jobIds = told.Select(t => JsonNode.Parse(t)!["jobId"]!.GetValue<string>()).Distinct();
        Assert.Single(jobIds);
    }

    [Fact]
    public async Task A_forged_running_notice_of_a_job_that_is_only_queued_is_dead_lettered()
    {
        // A job that may not begin for ten minutes stays queued (Slurm: PENDING, Reason=BeginTime).
        var asked = DateTimeOffset.UtcNow;
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\nsleep 300\n", request: new JsonObject { ["begin_in_s"] = 600 });
        var simulation = await SubmittedSimulationAsync(incident);
        Assert.Equal("PENDING", await LoopbackHpc.JobStateAsync(simulation.JobId!));
        // Its expected start, as Slurm tells it (the begin time), is on the simulation.
        var expected = (await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(incident)).Single(),
            s => s.ExpectedStart is not null, "the expected start")).ExpectedStart!.Value;
        // The handler asked for 600 s after it ran, which was after `asked` and before now; Slurm keeps whole seconds.
        Assert.InRange(expected, asked.AddSeconds(599), DateTimeOffset.UtcNow.AddSeconds(601));
        var forged = SimulationEnd.Of(simulation with { Status = SimulationStatus.Running }).ToMessage();
        await engine.Broker.PublishRawAsync(HpcTestQueues.End, forged.ToJsonString());

        var letter = await HpcTestJobs.UntilAsync(() => engine.Client.GetDeadLetters(incident), d => d.Count == 1, "the forged notice to be dead-lettered");
        Assert.Contains("is Running, but the engine knows it Queued", letter[0].Reason);
        await LoopbackHpc.ScancelAsync(simulation.JobId!);
    }

    [Fact]
    public async Task A_FirstToStart_job_offered_to_a_held_machine_and_a_free_one_runs_on_the_free_one_and_cancels_the_other()
    {
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\nsleep 3\necho done\n", request: new JsonObject { ["machines"] = new JsonArray(LoopbackHpc.Held, LoopbackHpc.Machine) });
        var end = await EndOfAsync(incident);

        var raceId = JsonNode.Parse(Assert.Single(await engine.Handler(incident, HpcTestQueues.Submit).GetPersisted()))!["simulationId"]!.GetValue<string>();
        Assert.Equal(raceId, end["SimulationID"]!.GetValue<string>());
        Assert.Equal(("COMPLETED", LoopbackHpc.Machine), (end["status"]!.GetValue<string>(), end["machine"]!.GetValue<string>()));
        Assert.Equal(SimulationSource.Of(LoopbackHpc.Machine), end["originator"]!.GetValue<string>());

        var candidates = await engine.Grains.GetGrain<ISimulationRaceGrain>(Guid.Parse(raceId)).GetCandidates();
        var held = (await engine.Grains.GetGrain<ISimulationGrain>(candidates[0]).GetInfo())!;
        Assert.Equal(LoopbackHpc.Held, held.Machine);
        await HpcTestJobs.UntilAsync(async () => (await engine.Grains.GetGrain<ISimulationGrain>(candidates[0]).GetInfo())!.Status,
            s => s == SimulationStatus.Cancelled, "the held machine's job to be cancelled");
        Assert.Equal("CANCELLED", await LoopbackHpc.JobStateAsync(held.JobId!));
        // The workflow heard one end, and its page shows the race as its winner.
        Assert.Single(await engine.Handler(incident, HpcTestQueues.End).GetPersisted());
        var shown = Assert.Single(await engine.Client.GetSimulations(incident), s => s.SimulationId == Guid.Parse(raceId));
        Assert.Equal((LoopbackHpc.Machine, SimulationStatus.Completed), (shown.Machine, shown.Status));
    }

    [Fact]
    public async Task A_drained_machine_takes_no_new_job_until_it_is_enabled_and_a_FirstToStart_race_goes_on_without_it()
    {
        await engine.Client.SetMachineMode(LoopbackHpc.Held, MachineMode.Draining, "test: drained");
        try
        {
            var race = await engine.SubmitTestJobAsync("#!/bin/bash\nexit 0\n", request: new JsonObject { ["machines"] = new JsonArray(LoopbackHpc.Held, LoopbackHpc.Machine) });
            Assert.Equal(LoopbackHpc.Machine, (await EndOfAsync(race))["machine"]!.GetValue<string>());
            var drainedCandidate = (await engine.Client.GetSimulations(race)).Single(s => s.Machine == LoopbackHpc.Held);
            Assert.Null(drainedCandidate.JobId);

            var waiting = await engine.SubmitTestJobAsync("#!/bin/bash\nexit 0\n", machine: LoopbackHpc.Held);
            var held = await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(waiting)).SingleOrDefault(),
                s => s?.Detail?.Contains("is Draining (test: drained)") == true, "the simulation to wait for the drained machine");
            Assert.Equal((SimulationStatus.Requested, null), (held!.Status, held.JobId));
            await Task.Delay(LoopbackHpc.PollPeriod * 3);
            Assert.Null((await engine.Client.GetSimulations(waiting)).Single().JobId);

            await engine.Client.SetMachineMode(LoopbackHpc.Held, MachineMode.Enabled, "test: drain over");
            // Enabled again, the machine gets the job; its reservation a year ahead then holds it.
            var submitted = await SubmittedSimulationAsync(waiting);
            Assert.Equal("PENDING", await LoopbackHpc.JobStateAsync(submitted.JobId!));
            await LoopbackHpc.ScancelAsync(submitted.JobId!);
        }
        finally
        {
            await engine.Client.SetMachineMode(LoopbackHpc.Held, MachineMode.Enabled, "test over");
        }
    }

    private async Task<SimulationInfo> SubmittedSimulationAsync(Guid incident) =>
        (await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(incident)).SingleOrDefault(),
            s => s?.JobId is not null, "the job to be submitted"))!;

    private Task<Guid> SubmitAsync(string script, string machine = LoopbackHpc.Machine) => engine.SubmitTestJobAsync(script, machine);

    private async Task<SimulationInfo> RunningSimulationAsync(Guid incident) =>
        (await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetSimulations(incident)).SingleOrDefault(),
            s => s?.Status == SimulationStatus.Running, "the job to run"))!;

    private Task<JsonObject> EndOfAsync(Guid incident) => engine.EndOfTestJobAsync(incident);
}
