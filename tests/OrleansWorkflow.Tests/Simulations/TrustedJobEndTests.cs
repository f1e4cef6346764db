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

    private Task<Guid> SubmitAsync(string script) => engine.SubmitTestJobAsync(script);

    private Task<JsonObject> EndOfAsync(Guid incident) => engine.EndOfTestJobAsync(incident);
}
