using System.Diagnostics;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Simulations.Schedulers;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>The wrapper the engine submits around a job script, run for real by /bin/sh, and what its evidence says.</summary>
public sealed class JobEvidenceTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task The_wrapper_keeps_the_scripts_directives_first_runs_it_in_its_directory_and_leaves_its_exit_code(int exitCode)
    {
        var directory = Directory.CreateTempSubdirectory("owf-evidence-").FullName;
        try
        {
            var script = $"#!/bin/sh\n# a comment\n#SBATCH --nodes=1\n\n#PBS -l select=1\necho ran in \"$PWD\" > out.txt\nexit {exitCode}\n";
            await File.WriteAllTextAsync(Path.Combine(directory, SimulationRequest.ScriptFileName), script);
            var wrapper = JobEvidence.Wrapper(script, directory);
            await File.WriteAllTextAsync(Path.Combine(directory, JobEvidence.WrapperFileName), wrapper);
            var exit = await RunWrapperAsync(directory);

            Assert.Equal(["#!/bin/sh", "#SBATCH --nodes=1", "#PBS -l select=1"], wrapper.Split('\n').Take(3));
            Assert.Equal(exitCode, exit);
            Assert.Equal($"ran in {directory}", (await File.ReadAllTextAsync(Path.Combine(directory, "out.txt"))).Trim());
            Assert.True(File.Exists(Path.Combine(directory, JobEvidence.StartedFileName)));
            Assert.Equal(exitCode.ToString(), (await File.ReadAllTextAsync(Path.Combine(directory, JobEvidence.ExitCodeFileName))).Trim());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_script_without_a_shebang_line_runs_as_bash()
    {
        var directory = Directory.CreateTempSubdirectory("owf-evidence-").FullName;
        try
        {
            const string script = "words=(fire weather)\necho \"${words[1]}\" > out.txt\n";
            await File.WriteAllTextAsync(Path.Combine(directory, SimulationRequest.ScriptFileName), script);
            await File.WriteAllTextAsync(Path.Combine(directory, JobEvidence.WrapperFileName), JobEvidence.Wrapper(script, directory));

            Assert.Equal(0, await RunWrapperAsync(directory));
            Assert.Equal("weather", (await File.ReadAllTextAsync(Path.Combine(directory, "out.txt"))).Trim());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Makes the script executable as the submission does, and runs the wrapper from / (PBS starts jobs in the home directory).</summary>
    private static async Task<int> RunWrapperAsync(string directory)
    {
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = "/" };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"chmod u+x '{directory}/{SimulationRequest.ScriptFileName}' && exec /bin/sh '{directory}/{JobEvidence.WrapperFileName}'");
        var run = Process.Start(start)!;
        using var _ = ProcessTree.EndOnDispose(run);
        await BuiltProgram.WaitForExitAsync(run, TimeSpan.FromMinutes(1), () => "the job wrapper");
        return run.ExitCode;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task An_arrays_task_runs_its_own_members_job_in_the_members_directory_and_no_other(int task)
    {
        var ensemble = Directory.CreateTempSubdirectory("owf-ensemble-").FullName;
        try
        {
            const string script = "#SBATCH --time=5\ncat input.txt > seen.txt\n";
            var members = new[] { Path.Combine(ensemble, "m0"), Path.Combine(ensemble, "m1") };
            for (var i = 0; i < members.Length; i++)
            {
                Directory.CreateDirectory(members[i]);
                await File.WriteAllTextAsync(Path.Combine(members[i], "input.txt"), $"member {i}\n");
                await File.WriteAllTextAsync(Path.Combine(members[i], SimulationRequest.ScriptFileName), script);
                await File.WriteAllTextAsync(Path.Combine(members[i], JobEvidence.WrapperFileName), JobEvidence.Wrapper(script, members[i]));
            }
            var dispatcher = JobEvidence.ArrayDispatcher(script, "SLURM_ARRAY_TASK_ID", members);
            await File.WriteAllTextAsync(Path.Combine(ensemble, JobEvidence.ArrayFileName), dispatcher);

            Assert.Equal(0, await RunArrayTaskAsync(ensemble, task));
            Assert.Equal(99, await RunArrayTaskAsync(ensemble, 2));

            Assert.Equal(["#!/bin/sh", "#SBATCH --time=5"], dispatcher.Split('\n').Take(2));
            Assert.Equal($"member {task}", (await File.ReadAllTextAsync(Path.Combine(members[task], "seen.txt"))).Trim());
            Assert.Equal("0", (await File.ReadAllTextAsync(Path.Combine(members[task], JobEvidence.ExitCodeFileName))).Trim());
            Assert.False(File.Exists(Path.Combine(members[1 - task], "seen.txt")));
            Assert.False(File.Exists(Path.Combine(members[1 - task], JobEvidence.StartedFileName)));
        }
        finally
        {
            Directory.Delete(ensemble, recursive: true);
        }
    }

    [Fact]
    public void Slurm_submits_an_ensemble_as_one_array_numbered_from_0_with_each_tasks_output_apart()
    {
        var request = new SimulationRequest { Machine = "m", NotifyQueue = "q", Script = "true", TimeLimit = TimeSpan.FromMinutes(5) };

        var command = new SlurmScheduler().SubmitCommand("owf-e", "/base/i/e", "/base/i/e/.owf-array.sh", request, arrayTasks: 6);

        Assert.Equal("sbatch --parsable -J 'owf-e' -D '/base/i/e' -o '/base/i/e/slurm-%A_%a.out' --array=0-5 --time=5 '/base/i/e/.owf-array.sh'", command);
        Assert.Equal("123_4", new SlurmScheduler().ArrayTaskId("123", 4));
        Assert.Null(new PbsScheduler().ArrayIndexVariable);
    }

    [Theory]
    [InlineData(0, null, "EnsembleRequest.Members has 0 members")]
    [InlineData(3, 4, "EnsembleRequest.Needed is 4; give 1 to 3")]
    [InlineData(2, 0, "EnsembleRequest.Needed is 0; give 1 to 2")]
    public void An_ensemble_without_members_or_needing_more_than_it_has_is_refused_naming_the_field(int members, int? needed, string error)
    {
        var ensemble = new EnsembleRequest
        {
            Simulation = new SimulationRequest { Machine = "m", NotifyQueue = "q", Script = "true" },
            Members = [.. Enumerable.Range(0, members).Select(_ => new Dictionary<string, string>())],
            Needed = needed,
        };

        Assert.StartsWith(error, Assert.Throws<ArgumentException>(ensemble.Validate).Message);
    }

    [Fact]
    public void A_members_file_named_like_a_shared_one_or_an_engine_file_is_refused()
    {
        var shared = new SimulationRequest { Machine = "m", NotifyQueue = "q", Script = "true", Files = new Dictionary<string, string> { ["grid.txt"] = "g" } };

        var clash = new EnsembleRequest { Simulation = shared, Members = [new Dictionary<string, string> { ["grid.txt"] = "other" }] };
        var engineFile = new EnsembleRequest { Simulation = shared, Members = [new Dictionary<string, string> { [".owf-job-id"] = "1" }] };

        Assert.Contains("has file \"grid.txt\", which the shared Simulation.Files has too", Assert.Throws<ArgumentException>(clash.Validate).Message);
        Assert.Contains("\".owf-job-id\" is not allowed", Assert.Throws<ArgumentException>(engineFile.Validate).Message);
    }

    /// <summary>Runs the array's script as Slurm would run task <paramref name="task"/>, from / .</summary>
    private static async Task<int> RunArrayTaskAsync(string ensemble, int task)
    {
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = "/" };
        start.ArgumentList.Add(Path.Combine(ensemble, JobEvidence.ArrayFileName));
        start.Environment["SLURM_ARRAY_TASK_ID"] = task.ToString();
        start.RedirectStandardError = true;
        var run = Process.Start(start)!;
        using var _ = ProcessTree.EndOnDispose(run);
        await BuiltProgram.WaitForExitAsync(run, TimeSpan.FromMinutes(1), () => "the array's script");
        return run.ExitCode;
    }

    [Fact]
    public void Evidence_tells_a_completed_a_failed_and_a_killed_job_and_knows_nothing_of_a_job_that_left_none()
    {
        var ends = JobEvidence.Parse("@@owf-evidence 11\n0\n@@owf-evidence 12\n7\n@@owf-evidence 13\nstarted\n@@owf-evidence 14\nnone\n");

        Assert.Equal((SimulationStatus.Completed, 0), (ends["11"].Status, ends["11"].ExitCode));
        Assert.Equal((SimulationStatus.Failed, 7), (ends["12"].Status, ends["12"].ExitCode));
        Assert.Equal((SimulationStatus.Failed, null), (ends["13"].Status, ends["13"].ExitCode));
        Assert.Contains("left no exit code", ends["13"].Detail);
        Assert.False(ends.ContainsKey("14"));
    }

    [Fact]
    public void A_job_scontrol_forgot_is_read_from_sacct_where_the_site_keeps_accounting_and_is_not_found_where_it_does_not()
    {
        var forgotten = "slurm_load_jobs error: Invalid job id specified";
        var output = $"@@owf 21\n{forgotten}\nCOMPLETED|0:0\n@@owf 22\n{forgotten}\nCANCELLED by 1001|0:15\n@@owf 23\n{forgotten}\nSlurm accounting storage is disabled\n";

        var jobs = new SlurmScheduler().ParseStatus(output, ["21", "22", "23"]);

        Assert.Equal((ObservationKind.Seen, SimulationStatus.Completed, 0), (jobs["21"].Kind, jobs["21"].Status, jobs["21"].ExitCode));
        Assert.Equal((ObservationKind.Seen, SimulationStatus.Cancelled), (jobs["22"].Kind, jobs["22"].Status));
        Assert.Equal(ObservationKind.NotFound, jobs["23"].Kind);
    }

    [Theory]
    [InlineData("#SBATCH --array=1-4")]
    [InlineData("#SBATCH -a 1-3")]
    [InlineData("#SBATCH --nodes=1 --array 0-9%2")]
    [InlineData("#PBS -J 1-10")]
    [InlineData("#PBS -t 1-5")]
    public void An_array_job_script_is_refused_with_what_to_do_instead(string directive)
    {
        var request = new SimulationRequest { Machine = "m", NotifyQueue = "q", Script = $"#!/bin/bash\n{directive}\nrun\n" };

        var refused = Assert.Throws<ArgumentException>(request.Validate);

        Assert.Contains(directive, refused.Message);
        Assert.Contains("one simulation per task", refused.Message);
    }

    [Theory]
    [InlineData("#SBATCH -A fire-account")]
    [InlineData("#SBATCH --account=fire")]
    [InlineData("#PBS -j oe")]
    [InlineData("echo done\n#SBATCH --array=1-4")] // after the first command: the scheduler does not read it
    public void Other_directives_and_lines_past_the_first_command_pass(string lines)
    {
        new SimulationRequest { Machine = "m", NotifyQueue = "q", Script = $"#!/bin/bash\n{lines}\nrun\n" }.Validate();
    }
}
