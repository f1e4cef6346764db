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
        var directory = Directory.CreateTempSubdirectory("owf-data-provider-").FullName;
        try
        {
            var actual = await WriteRandomFileAsync(Path.Combine(directory, "hotspots.bin"), 1024 * 1024);
            await using var provider = new LocalFileServer(directory);
            var incident = await engine.Client.CreateIncident("data checksum test", "TEST");
            var expected = new string('0', 64);

            await engine.Client.Send(HpcTestQueues.DataFetch, new JsonObject
            {
                ["IncidentID"] = incident.ToString(), ["machine"] = LoopbackHpc.Machine, ["url"] = provider.UrlOf("hotspots.bin").AbsoluteUri,
                ["sha256"] = expected, ["output_bytes"] = 1,
            });
            await engine.Client.FlushMessages();
            var notice = JsonNode.Parse(Assert.Single(await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.DataReady).GetPersisted(), p => p.Count > 0,
                "the fetched input to be checked")))!.AsObject();
            var end = JsonNode.Parse(Assert.Single(await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.DataJobEnd).GetPersisted(), p => p.Count > 0,
                "the job to end")))!.AsObject();

            Assert.Equal(("FAILED", $"its SHA-256 is {actual}, not the {expected} expected"), (notice["status"]!.GetValue<string>(), notice["detail"]!.GetValue<string>()));
            Assert.Equal(("FAILED", null), (end["status"]!.GetValue<string>(), end["jobId"]?.GetValue<string>()));
            Assert.Contains("input input.bin: data input failed (its SHA-256 is", end["detail"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_purge_of_a_finished_incident_deletes_the_data_its_machine_fetched_and_its_records_and_leaves_a_jobs_output_with_the_job()
    {
        var directory = Directory.CreateTempSubdirectory("owf-data-provider-").FullName;
        try
        {
            var sha = await WriteRandomFileAsync(Path.Combine(directory, "fuel.bin"), 64 * 1024);
            await using var provider = new LocalFileServer(directory);
            var incident = await engine.Client.CreateIncident("data purge test", "TEST");
            await engine.Client.Send(HpcTestQueues.DataFetch, new JsonObject
            {
                ["IncidentID"] = incident.ToString(), ["machine"] = LoopbackHpc.Machine, ["url"] = provider.UrlOf("fuel.bin").AbsoluteUri, ["sha256"] = sha, ["output_bytes"] = 10,
            });
            await engine.Client.FlushMessages();
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
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Data_copied_onto_another_machine_is_ready_there_with_the_same_checksum_under_its_own_name()
    {
        var directory = Directory.CreateTempSubdirectory("owf-data-provider-").FullName;
        try
        {
            var sha = await WriteRandomFileAsync(Path.Combine(directory, "wind.bin"), 3 * 1024 * 1024 + 5);
            await using var provider = new LocalFileServer(directory);
            var incident = await engine.Client.CreateIncident("data copy test", "TEST");
            await engine.Client.Send(HpcTestQueues.DataFetch, new JsonObject
            {
                ["IncidentID"] = incident.ToString(), ["machine"] = LoopbackHpc.Machine, ["url"] = provider.UrlOf("wind.bin").AbsoluteUri, ["sha256"] = sha, ["output_bytes"] = 1,
            });
            // Asked for at once: the copy waits for its original to be ready.
            await engine.Client.Send(HpcTestQueues.DataCopy, new JsonObject
            {
                ["IncidentID"] = incident.ToString(), ["data"] = "input", ["machine"] = LoopbackHpc.Capped, ["as"] = "input-on-capped",
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
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static JsonObject Notice(IReadOnlyList<string> notices, string data) =>
        Assert.Single(notices.Select(n => JsonNode.Parse(n)!.AsObject()), n => n["data"]!.GetValue<string>() == data);

    internal static long PeakWorkingSet()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>Writes <paramref name="size"/> random bytes a MiB at a time; returns their SHA-256.</summary>
    internal static async Task<string> WriteRandomFileAsync(string path, long size)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[1024 * 1024];
        await using var file = File.Create(path);
        for (long written = 0; written < size; written += chunk.Length)
        {
            var part = chunk.AsMemory(0, (int)Math.Min(chunk.Length, size - written));
            RandomNumberGenerator.Fill(part.Span);
            sha.AppendData(part.Span);
            await file.WriteAsync(part);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

}
