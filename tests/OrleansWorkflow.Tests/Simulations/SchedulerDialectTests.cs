using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Schedulers;

namespace OrleansWorkflow.Tests.Simulations;

[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class SchedulerDialectTests
{
    private static string Recorded(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Simulations", "Recorded", file));

    [Fact]
    public void Slurm_scontrol_output_recorded_on_the_loopback_Slurm_reads_as_each_jobs_true_end()
    {
        // Recorded from Slurm 22.05 here: exit 3, scancel, exit 3 with a time limit, a job past its time limit, an unknown id.
        var jobs = new SlurmScheduler().ParseStatus(Recorded("slurm-scontrol.txt"), ["6901077", "6901078", "6901079", "6901080", "123"]);

        Assert.Equal(JobObservation.Seen(SimulationStatus.Failed, 3, "JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0"), jobs["6901077"]);
        Assert.Equal((SimulationStatus.Cancelled, 0), (jobs["6901078"].Status, jobs["6901078"].ExitCode));
        Assert.Contains("ExitCode=0:15", jobs["6901078"].Detail);
        Assert.Equal((SimulationStatus.Failed, 3), (jobs["6901079"].Status, jobs["6901079"].ExitCode));
        Assert.Equal(SimulationStatus.Timeout, jobs["6901080"].Status);
        Assert.Equal(ObservationKind.NotFound, jobs["123"].Kind);
    }

    [Fact]
    public void Slurm_with_its_controller_down_is_unreachable_never_an_end()
    {
        var jobs = new SlurmScheduler().ParseStatus(Recorded("slurm-controller-down.txt"), ["6901077", "6901078"]);

        Assert.Equal(ObservationKind.Unreachable, jobs["6901077"].Kind);
        Assert.Contains("Unable to contact slurm controller", jobs["6901077"].Detail);
        Assert.Equal(ObservationKind.Unreachable, jobs["6901078"].Kind); // asked about, but no answer at all
    }

    [Theory]
    [InlineData("PENDING", SimulationStatus.Queued)]
    [InlineData("RUNNING", SimulationStatus.Running)]
    [InlineData("COMPLETING", SimulationStatus.Running)]
    [InlineData("COMPLETED", SimulationStatus.Completed)]
    [InlineData("OUT_OF_MEMORY", SimulationStatus.Failed)]
    [InlineData("NODE_FAIL", SimulationStatus.Failed)]
    [InlineData("DEADLINE", SimulationStatus.Timeout)]
    public void Slurm_states_map_to_simulation_statuses(string state, SimulationStatus expected) =>
        Assert.Equal(expected, SlurmScheduler.StatusOf(state));

    [Fact]
    public void PBS_Pro_qstat_fx_output_reads_as_each_jobs_state_and_exit_status()
    {
        // Written here in the layout of PBS Pro's `qstat -fx` (as on ARCHER): there is no PBS server on Debian to record from.
        var ids = new[] { "6901077.sdb", "6901078.sdb", "6901079.sdb", "6901080.sdb", "6901081.sdb", "6901082.sdb", "6901099.sdb", "6901100.sdb" };
        var jobs = new PbsScheduler().ParseStatus(Recorded("pbspro-qstat-fx.txt"), ids);

        Assert.Equal((SimulationStatus.Completed, 0), (jobs["6901077.sdb"].Status, jobs["6901077.sdb"].ExitCode));
        Assert.Equal((SimulationStatus.Failed, 3), (jobs["6901078.sdb"].Status, jobs["6901078.sdb"].ExitCode));
        Assert.Equal(SimulationStatus.Timeout, jobs["6901079.sdb"].Status);
        Assert.Equal((SimulationStatus.Cancelled, 271), (jobs["6901080.sdb"].Status, jobs["6901080.sdb"].ExitCode));
        Assert.Equal(SimulationStatus.Running, jobs["6901081.sdb"].Status);
        Assert.Equal(SimulationStatus.Queued, jobs["6901082.sdb"].Status);
        Assert.Equal(ObservationKind.NotFound, jobs["6901099.sdb"].Kind);
        Assert.Equal(ObservationKind.Unreachable, jobs["6901100.sdb"].Kind);
    }

    [Fact]
    public void PBS_that_cannot_reach_its_server_is_unreachable_never_an_end()
    {
        var jobs = new PbsScheduler().ParseStatus("Connection refused\nqstat: cannot connect to server sdb (errno=15010)\n", ["6901077.sdb"]);

        Assert.Equal(ObservationKind.Unreachable, jobs["6901077.sdb"].Kind);
        Assert.Contains("cannot connect to server", jobs["6901077.sdb"].Detail);
    }

    [Fact]
    public void Submission_commands_quote_their_arguments_and_round_time_limits_up_to_what_the_scheduler_takes()
    {
        var slurm = new SlurmScheduler().SubmitCommand("owf-1", "/base/it's here", "/base/it's here/job.sh", Request() with { TimeLimit = TimeSpan.FromSeconds(90) });
        var pbs = new PbsScheduler().SubmitCommand("owf-1", "/base/dir", "/base/dir/job.sh", Request() with { TimeLimit = TimeSpan.FromMinutes(90) });

        Assert.Equal("sbatch --parsable -J 'owf-1' -D '/base/it'\\''s here' -o '/base/it'\\''s here/slurm-%j.out' --time=2 '/base/it'\\''s here/job.sh'", slurm);
        Assert.Equal("cd '/base/dir' && qsub -N 'owf-1' -j oe -o '/base/dir/pbs.out' -l walltime=01:30:00 '/base/dir/job.sh'", pbs);
    }

    [Fact]
    public void Resources_and_placement_become_each_schedulers_options()
    {
        var begin = new DateTimeOffset(2026, 7, 14, 15, 30, 0, TimeSpan.Zero);
        var request = Request() with
        {
            Nodes = 4, TasksPerNode = 128, MemoryMegabytes = 256_000, Partition = "standard", Account = "e123", Reservation = "fire", BeginAt = begin,
        };

        var slurm = new SlurmScheduler().SubmitCommand("owf-1", "/d", "/d/job.sh", request with { Qos = "high", Deadline = begin.AddHours(2) });
        var pbs = new PbsScheduler().SubmitCommand("owf-1", "/d", "/d/job.sh", request with { Partition = null });

        Assert.Equal("sbatch --parsable -J 'owf-1' -D '/d' -o '/d/slurm-%j.out' --nodes=4 --ntasks-per-node=128 --mem=256000M --partition='standard' --qos='high' --account='e123' --reservation='fire' " +
                     $"--begin=\"$(date -d @{begin.ToUnixTimeSeconds()} +%Y-%m-%dT%H:%M:%S)\" --deadline=\"$(date -d @{begin.AddHours(2).ToUnixTimeSeconds()} +%Y-%m-%dT%H:%M:%S)\" '/d/job.sh'", slurm);
        Assert.Equal("cd '/d' && qsub -N 'owf-1' -j oe -o '/d/pbs.out' -l 'select=4:ncpus=128:mpiprocs=128:mem=256000mb' -q 'fire' -A 'e123' " +
                     $"-a \"$(date -d @{begin.ToUnixTimeSeconds()} +%Y%m%d%H%M.%S)\" '/d/job.sh'", pbs);
    }

    [Fact]
    public void What_PBS_cannot_do_is_refused_with_what_to_leave_unset()
    {
        Assert.Contains("Qos unset", new PbsScheduler().Unsupported(Request() with { Qos = "high" }));
        Assert.Contains("Deadline unset", new PbsScheduler().Unsupported(Request() with { Deadline = DateTimeOffset.UtcNow }));
        Assert.Contains("not both", new PbsScheduler().Unsupported(Request() with { Partition = "workq", Reservation = "R1" }));
        Assert.Null(new SlurmScheduler().Unsupported(Request() with { Qos = "high", Deadline = DateTimeOffset.UtcNow }));
    }

    [Theory]
    [InlineData("nodes; rm -rf ~")]
    [InlineData("")]
    public void A_placement_name_that_is_no_scheduler_name_is_refused(string partition) =>
        Assert.Contains("not a scheduler name", Assert.Throws<ArgumentException>(() => (Request() with { Partition = partition }).Validate()).Message);

    [Fact]
    public void A_machines_urgency_placement_it_cannot_honour_is_a_settings_problem_named_by_its_key()
    {
        var pbs = new OrleansWorkflow.Simulations.Machines.MachineOptions
        {
            Scheduler = OrleansWorkflow.Simulations.Machines.SchedulerKind.Pbs,
            Urgency = { [Incidents.IncidentUrgency.Emergency] = new() { Qos = "high" }, [Incidents.IncidentUrgency.Urgent] = new() { Partition = "bad name" } },
        };
        var problems = pbs.Problems("archer").ToList();
        Assert.Contains(problems, p => p.StartsWith("Hpc:Machines:archer:Urgency:Emergency: PBS has no quality of service"));
        Assert.Contains(problems, p => p.StartsWith("Hpc:Machines:archer:Urgency:Urgent: SimulationRequest.Partition \"bad name\" is not a scheduler name"));
    }

    [Fact]
    public void A_pending_Slurm_jobs_StartTime_is_its_expected_start_in_the_machines_zone()
    {
        var output = "@@owf-tz +0100\n@@owf 6901077\nJobId=6901077 JobName=owf-1 JobState=PENDING Reason=BeginTime StartTime=2026-07-14T16:30:00 EndTime=Unknown ExitCode=0:0\n" +
                     "@@owf 6901078\nJobId=6901078 JobName=owf-2 JobState=RUNNING Reason=None StartTime=2026-07-14T15:00:00 ExitCode=0:0\n" +
                     "@@owf 6901079\nJobId=6901079 JobName=owf-3 JobState=PENDING Reason=Priority StartTime=Unknown ExitCode=0:0\n";
        var jobs = new SlurmScheduler().ParseStatus(output, ["6901077", "6901078", "6901079"]);

        Assert.Equal(new DateTimeOffset(2026, 7, 14, 15, 30, 0, TimeSpan.Zero), jobs["6901077"].ExpectedStart);
        Assert.Null(jobs["6901078"].ExpectedStart);
        Assert.Null(jobs["6901079"].ExpectedStart);
        Assert.StartsWith("echo \"@@owf-tz $(date +%z)\"; ", new SlurmScheduler().StatusCommand(["6901077"]));
    }

    private static SimulationRequest Request() => new() { Machine = "archer", Script = "#!/bin/bash\n", NotifyQueue = "fire_results" };

    [Theory]
    [InlineData("6901077\n", "6901077")]
    [InlineData("6901077;cluster\n", "6901077")]
    public void Slurm_job_ids_are_read_from_sbatch_parsable(string output, string id) =>
        Assert.Equal(id, new SlurmScheduler().ParseJobId(output));

    [Fact]
    public void Output_that_holds_no_job_id_is_an_error_not_an_id()
    {
        Assert.Throws<FormatException>(() => new SlurmScheduler().ParseJobId("sbatch: error: Batch job submission failed"));
        Assert.Throws<FormatException>(() => new PbsScheduler().ParseJobId("qsub: Job rejected by all possible destinations"));
        Assert.Equal("6901077.sdb", new PbsScheduler().ParseJobId("6901077.sdb\n"));
    }

    [Fact]
    public void Job_ids_that_are_not_id_shaped_never_reach_a_command_line() =>
        Assert.Throws<ArgumentException>(() => new SlurmScheduler().StatusCommand(["1; rm -rf ~"]));
}
