using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>
/// A job's end is believed only as the engine knows it, and a handler reads only files inside the job's directory:
/// against the real loopback Slurm over the real sshd.
/// </summary>
[Collection(HpcCollection.Name)]
public sealed class TrustedJobEndTests(EngineFixture engine)
{
    [Fact]
    public async Task A_forged_COMPLETED_for_a_simulation_that_never_ran_is_dead_lettered_with_its_reason_and_the_incident_stays_active()
    {
        var incident = await SubmitAsync("#!/bin/bash\nexit 0\n");
        await EndOfAsync(incident);
        var forgedId = Guid.NewGuid();

        await engine.Client.Send(HpcTestQueues.End, new JsonObject
        {
            ["IncidentID"] = incident.ToString(), ["SimulationID"] = forgedId.ToString(), ["machine"] = LoopbackHpc.Machine,
            ["jobId"] = "1", ["wkdir"] = "/tmp", ["status"] = "COMPLETED", ["exitCode"] = 0,
        });
        await engine.Client.FlushMessages();

        var letter = await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetDeadLetters(incident)).SingleOrDefault(),
            l => l is not null, "the forged end to be dead-lettered");
        Assert.Contains($"simulation {forgedId}, which the engine never submitted", letter!.Reason);
        Assert.Single(await engine.Handler(incident, HpcTestQueues.End).GetPersisted()); // only the true end
        Assert.Equal(IncidentStatus.Active, (await engine.Client.GetIncident(incident)).Status);
    }

    [Fact]
    public async Task A_true_end_with_another_working_directory_is_refused_so_no_file_outside_the_job_is_read()
    {
        var incident = await SubmitAsync("#!/bin/bash\necho mine > result.txt\n");
        var read = (JsonObject)(await EndOfAsync(incident)).DeepClone();
        read["wkdir"] = "/etc";
        read["file"] = "hostname";

        await engine.Client.Send(HpcTestQueues.Read, read);
        await engine.Client.FlushMessages();

        var letter = await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetDeadLetters(incident)).SingleOrDefault(),
            l => l is not null, "the altered end to be dead-lettered");
        Assert.Contains("ended with wkdir \"/etc\", but the engine knows", letter!.Reason);
        Assert.Empty(await engine.Handler(incident, HpcTestQueues.Read).GetPersisted());
        Assert.Equal(IncidentStatus.Active, (await engine.Client.GetIncident(incident)).Status);
    }

    [Fact]
    public async Task A_forged_end_whose_SimulationID_key_is_written_with_an_escape_is_dead_lettered_and_nothing_is_read()
    {
        var incident = await SubmitAsync("#!/bin/bash\nexit 0\n");
        await EndOfAsync(incident);
        using var elsewhere = new DirectoryOutsideAnyJob("forged results\n");
        var forgedId = Guid.NewGuid();
        // A plain AMQP publish: "Simulation\u0049D" is the key "SimulationID" to every JSON parser.
        var forged = new JsonObject
        {
            ["IncidentID"] = incident.ToString(), ["MessageID"] = Guid.NewGuid().ToString(), ["SimulationID"] = forgedId.ToString(),
            ["machine"] = LoopbackHpc.Machine, ["jobId"] = "1", ["wkdir"] = elsewhere.Path, ["status"] = "COMPLETED", ["exitCode"] = 0,
            ["file"] = DirectoryOutsideAnyJob.File,
        };
        await engine.Broker.PublishRawAsync(HpcTestQueues.Read, Escaped(forged.ToJsonString(), "SimulationID"));

        var letter = await HpcTestJobs.UntilAsync(async () => (await engine.Client.GetDeadLetters(incident)).SingleOrDefault(),
            l => l is not null, "the forged end to be dead-lettered");
        Assert.Contains($"simulation {forgedId}, which the engine never submitted", letter!.Reason);
        Assert.Empty(await engine.Handler(incident, HpcTestQueues.Read).GetPersisted());
        Assert.Equal(IncidentStatus.Active, (await engine.Client.GetIncident(incident)).Status);
    }

    [Fact]
    public async Task A_true_end_with_its_working_directory_changed_is_refused_whether_its_keys_are_escaped_or_not()
    {
        var incident = await SubmitAsync("#!/bin/bash\necho mine > output.dat\n");
        var end = await EndOfAsync(incident);
        using var elsewhere = new DirectoryOutsideAnyJob("not the job's\n");
        var altered = (JsonObject)end.DeepClone();
        altered["wkdir"] = elsewhere.Path;
        altered["file"] = DirectoryOutsideAnyJob.File;
        foreach (var escaped in new[] { false, true })
        {
            altered["MessageID"] = Guid.NewGuid().ToString();
            var text = altered.ToJsonString();
            await engine.Broker.PublishRawAsync(HpcTestQueues.Read, escaped ? Escaped(Escaped(text, "SimulationID"), "wkdir") : text);
        }

        var letters = await HpcTestJobs.UntilAsync(() => engine.Client.GetDeadLetters(incident), l => l.Count == 2, "both altered ends to be dead-lettered");
        Assert.All(letters, l => Assert.Contains($"ended with wkdir \"{elsewhere.Path}\", but the engine knows", l.Reason));
        Assert.Empty(await engine.Handler(incident, HpcTestQueues.Read).GetPersisted());
        Assert.Equal(IncidentStatus.Active, (await engine.Client.GetIncident(incident)).Status);
    }

    [Fact]
    public async Task A_handler_that_names_another_working_directory_still_reads_the_jobs_own_file()
    {
        var incident = await SubmitAsync("#!/bin/bash\necho from the job > output.dat\n");
        var read = (JsonObject)(await EndOfAsync(incident)).DeepClone();
        using var elsewhere = new DirectoryOutsideAnyJob("from elsewhere\n");
        read["file"] = DirectoryOutsideAnyJob.File;
        read["handler_wkdir"] = elsewhere.Path; // the handler passes this directory to ReadFileAsync

        await engine.Client.Send(HpcTestQueues.Read, read);
        await engine.Client.FlushMessages();

        var persisted = await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.Read).GetPersisted(), p => p.Count > 0, "the file to be read");
        Assert.Equal("from the job\n", JsonNode.Parse(Assert.Single(persisted))!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reading_a_jobs_files_refuses_dot_dot_a_symbolic_link_out_and_a_file_over_the_limit_and_reads_one_inside()
    {
        // A sparse 2 GB file: the refusal must come from its size, before any byte is read.
        var incident = await SubmitAsync("#!/bin/bash\nmkdir -p sub && echo inside > sub/in.txt\nln -s /etc/hostname escape\ntruncate -s 2G big.dat\n");
        var end = await EndOfAsync(incident);
        Assert.Equal("COMPLETED", end["status"]!.GetValue<string>());

        foreach (var file in new[] { "../x", "escape", "big.dat", "sub/in.txt" })
        {
            var read = (JsonObject)end.DeepClone();
            read["file"] = file;
            await engine.Client.Send(HpcTestQueues.Read, read);
        }
        await engine.Client.FlushMessages();

        var letters = await Eventually.UntilAsync(() => engine.Client.GetDeadLetters(incident), l => l.Count == 3, TimeSpan.FromSeconds(90), "three refused reads");
        Assert.Contains(letters, l => l.Reason.Contains("\"../x\" is not a file name inside the simulation's working directory"));
        Assert.Contains(letters, l => l.Reason.Contains("escape in ") && l.Reason.Contains("leads outside the job's directory"));
        Assert.Contains(letters, l => l.Reason.Contains("big.dat in ") && l.Reason.Contains("is 2147483648 bytes, over Hpc:Machines:loopback:MaxReadBytes"));
        var persisted = await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.Read).GetPersisted(), p => p.Count > 0, "the file inside to be read");
        Assert.Equal("inside\n", JsonNode.Parse(Assert.Single(persisted))!["content"]!.GetValue<string>());
    }

    /// <summary>The JSON text with <paramref name="key"/> written with its first letter as a \\u escape (the same key once parsed).</summary>
    private static string Escaped(string json, string key) =>
        json.Replace($"\"{key}\":", $"\"\\u{(int)key[0]:X4}{key[1..]}\":", StringComparison.Ordinal);

    /// <summary>A directory on the loopback machine that no job used, holding an output.dat (the test runs as root with umask 022: anyone may read both).</summary>
    private sealed class DirectoryOutsideAnyJob : IDisposable
    {
        public const string File = "output.dat";

        public DirectoryOutsideAnyJob(string content)
        {
            Directory.CreateDirectory(Path);
            System.IO.File.WriteAllText(System.IO.Path.Combine(Path, File), content);
        }

        public string Path { get; } = $"/tmp/owf-outside-any-job-{Guid.NewGuid():N}";

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    private Task<Guid> SubmitAsync(string script) => engine.SubmitTestJobAsync(script);

    private Task<JsonObject> EndOfAsync(Guid incident) => engine.EndOfTestJobAsync(incident);
}
