using System.Text.Json.Nodes;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>
/// 300 MB in and 300 MB out through the real loopback machine. It runs alone, after the parallel collections: hashing
/// and encrypting 600 MB on two cores would hold up others' polls past Slurm's MinJobAge (a job's TIMEOUT was once read
/// from its evidence as FAILED beside it).
/// </summary>
[Collection(DataVolumeCollection.Name)]
public sealed class DataVolumeTests(EngineFixture engine)
{
    private const long Size = 300L * 1024 * 1024;

    [Fact]
    public async Task A_300_MB_input_fetched_by_the_machine_feeds_a_job_and_its_300_MB_output_is_read_back_streamed_with_a_matching_checksum()
    {
        await using var provider = await DataProvider.WithRandomFileAsync("terrain.bin", Size);
        var inputSha = provider.Sha256;
        var peakBefore = DataStagingTests.PeakWorkingSet();

        var incident = await engine.FetchAsync("data test", provider, inputSha, outputBytes: Size);
        var notices = await HpcTestJobs.UntilAsync(() => engine.Handler(incident, HpcTestQueues.DataReady).GetPersisted(), p => p.Count >= 2,
            "the input and then the job's output to be ready");
        var growth = DataStagingTests.PeakWorkingSet() - peakBefore;

        var input = DataStagingTests.Notice(notices, "input");
        var output = DataStagingTests.Notice(notices, "output");
        Assert.Equal(("READY", Size, inputSha), (input["status"]!.GetValue<string>(), input["size"]!.GetValue<long>(), input["sha256"]!.GetValue<string>()));
        // The machine fetched it (curl), once; the silo never asked the provider for it.
        var request = Assert.Single(provider.Server.Requests);
        Assert.Equal("terrain.bin", request.Path);
        Assert.StartsWith("curl/", request.UserAgent);
        var end = JsonNode.Parse(Assert.Single(await engine.Handler(incident, HpcTestQueues.DataJobEnd).GetPersisted()))!.AsObject();
        Assert.Equal("COMPLETED", end["status"]!.GetValue<string>());
        Assert.Equal(inputSha, (await engine.ReadJobFileAsync(incident, end, "input.sha256")).Trim());
        Assert.Equal(("READY", Size), (output["status"]!.GetValue<string>(), output["size"]!.GetValue<long>()));
        Assert.Equal((Size, output["sha256"]!.GetValue<string>()), (output["read_bytes"]!.GetValue<long>(), output["read_sha256"]!.GetValue<string>()));
        // 300 MB in and 300 MB out, neither held whole: the process's peak grew by much less than one file.
        Assert.InRange(growth, long.MinValue, 200L * 1024 * 1024);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DataVolumeCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "data-volume";
}
