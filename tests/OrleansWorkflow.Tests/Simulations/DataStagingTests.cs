using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>An incident's binary data on the real loopback machine: fetched by the machine from a URL, linked into a job, a job's output read back streamed.</summary>
[Collection(EngineCollection.Name)]
public sealed class DataStagingTests(EngineFixture engine)
{
    [Fact]
    public async Task A_job_whose_input_is_no_data_of_the_incident_fails_without_running_and_says_which()
    {
        var incident = await engine.SubmitTestJobAsync("#!/bin/bash\nexit 0\n", request: new JsonObject { ["inputs"] = new JsonObject { ["grid.bin"] = "no-such-data" } });

        var end = await engine.EndOfTestJobAsync(incident);

        Assert.Equal(("FAILED", null), (end["status"]!.GetValue<string>(), end["jobId"]?.GetValue<string>()));
        Assert.Contains("input grid.bin: incident", end["detail"]!.GetValue<string>());
        Assert.Contains("has no data named \"no-such-data\"", end["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Data_whose_checksum_is_not_the_one_expected_fails_and_the_job_that_needs_it_never_runs()
    {
        await using var provider = await DataProvider.WithRandomFileAsync("hotspots.bin", 1024 * 1024);
        var expected = new string('0', 64);

        var incident = await engine.FetchAsync("data checksum test", provider, expected, outputBytes: 1);
        var notice = JsonNode.Parse(Assert.Single(await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.DataReady).GetPersisted(), p => p.Count > 0,
                "the fetched input to be checked")))!.AsObject();
        var end = JsonNode.Parse(Assert.Single(await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.DataJobEnd).GetPersisted(), p => p.Count > 0,
            "the job to end")))!.AsObject();

        Assert.Equal(("FAILED", $"its SHA-256 is {provider.Sha256}, not the {expected} expected"), (notice["status"]!.GetValue<string>(), notice["detail"]!.GetValue<string>()));
        Assert.Equal(("FAILED", null), (end["status"]!.GetValue<string>(), end["jobId"]?.GetValue<string>()));
        Assert.Contains("input input.bin: data input failed (its SHA-256 is", end["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_purge_of_a_finished_incident_deletes_the_data_its_machine_fetched_and_its_records_and_leaves_a_jobs_output_with_the_job()
    {
        await using var provider = await DataProvider.WithRandomFileAsync("fuel.bin", 64 * 1024);
        var incident = await engine.FetchAsync("data purge test", provider, provider.Sha256, outputBytes: 10);
        await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.DataReady).GetPersisted(), p => p.Count >= 2, "the input and the output to be ready");
        var data = await engine.Client.GetData(incident);
        var (input, output) = (data.Single(d => d.Name == "input"), data.Single(d => d.Name == "output"));
        var fetchedBefore = File.Exists(input.Path);
        await engine.Client.Complete(incident);

        var purged = await engine.Services.GetRequiredService<OrleansWorkflow.Incidents.IncidentPurge>().PurgeAsync(incident);

        Assert.Equal((2, true, true), (data.Count, fetchedBefore, purged));
        Assert.Empty(await engine.Client.GetData(incident));
        Assert.False(Directory.Exists(Path.GetDirectoryName(input.Path)), $"the incident's data directory {Path.GetDirectoryName(input.Path)} is still there");
        Assert.True(File.Exists(output.Path), $"the job's output {output.Path} went with the purge");
    }

    [Fact]
    public async Task Data_copied_onto_another_machine_is_ready_there_with_the_same_checksum_under_its_own_name()
    {
        await using var provider = await DataProvider.WithRandomFileAsync("wind.bin", 3 * 1024 * 1024 + 5);
        var sha = provider.Sha256;
        var incident = await engine.FetchAsync("data copy test", provider, sha, outputBytes: 1);
        // Asked for at once: the copy waits for its original to be ready.
        await engine.Client.Send(HpcTestQueues.DataCopy, new JsonObject
        {
            ["IncidentID"] = incident.ToString(),
            ["data"] = "input",
            ["machine"] = LoopbackHpc.Capped,
            ["as"] = "input-on-capped",
        });
        await engine.Client.FlushMessages();

        var notices = await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.DataReady).GetPersisted(),
            p => p.Any(n => JsonNode.Parse(n)!["data"]!.GetValue<string>() == "input-on-capped"), "the copy to be ready");
        var data = await engine.Client.GetData(incident);

        var copy = Notice(notices, "input-on-capped");
        Assert.Equal(("READY", LoopbackHpc.Capped, sha, 3L * 1024 * 1024 + 5),
            (copy["status"]!.GetValue<string>(), copy["machine"]!.GetValue<string>(), copy["sha256"]!.GetValue<string>(), copy["size"]!.GetValue<long>()));
        var (original, copied) = (data.Single(d => d.Name == "input"), data.Single(d => d.Name == "input-on-capped"));
        Assert.Equal("copy of input", copied.Source);
        Assert.NotEqual(original.Path, copied.Path);
        Assert.Equal(sha, Convert.ToHexStringLower(await SHA256.HashDataAsync(File.OpenRead(copied.Path))));
    }

    internal static JsonObject Notice(IReadOnlyList<string> notices, string data) =>
        Assert.Single(notices.Select(n => JsonNode.Parse(n)!.AsObject()), n => n["data"]!.GetValue<string>() == data);

    internal static long PeakWorkingSet()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

}
