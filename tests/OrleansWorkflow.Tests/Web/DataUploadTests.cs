using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Web;

/// <summary>An operator's file uploaded as an incident's data over the HTTP API, streamed onto the real loopback machine.</summary>
[Collection(WebCollection.Name)]
public sealed class DataUploadTests(WebSiloFixture web)
{
    [Fact]
    public async Task An_operators_upload_lands_on_the_machine_as_the_incidents_data_ready_with_its_checksum_and_no_one_else_may_upload()
    {
        var incident = await web.Client.CreateIncident("upload test", "TEST");
        var bytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 17);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var path = $"/api/incidents/{incident}/data/hotspots.bin?machine={LoopbackHpc.Machine}";

        var (accepted, answer) = await PutAsync(web.Http, path, bytes);
        var data = await Eventually.UntilAsync(async () => (await WebSiloFixture.GetAsync(web.Http, $"/api/incidents/{incident}/data")).Body!.AsArray(),
            items => items.Count == 1 && items[0]!["status"]!.GetValue<string>() != "Pending", TimeSpan.FromSeconds(60), "the machine to hash the upload");
        // Refused before the body is read (a large one would meet a closed connection): a small one each.
        var small = bytes[..64];
        using var viewer = web.HttpAs(web.ViewerKey);
        var (refused, _) = await PutAsync(viewer, $"/api/incidents/{incident}/data/other.bin?machine={LoopbackHpc.Machine}", small);
        var (again, twice) = await PutAsync(web.Http, path, small);
        var (badName, named) = await PutAsync(web.Http, $"/api/incidents/{incident}/data/.hidden?machine={LoopbackHpc.Machine}", small);
        var (noMachine, where) = await PutAsync(web.Http, $"/api/incidents/{incident}/data/x.bin", small);

        Assert.Equal((202, sha, (long)bytes.Length), (accepted, answer!["sha256"]!.GetValue<string>(), answer["bytes"]!.GetValue<long>()));
        var item = data[0]!;
        Assert.Equal(("hotspots.bin", "Ready", (long)bytes.Length, sha, "uploaded by test-operator"),
            (item["name"]!.GetValue<string>(), item["status"]!.GetValue<string>(), item["size"]!.GetValue<long>(), item["sha256"]!.GetValue<string>(), item["source"]!.GetValue<string>()));
        Assert.Equal(403, refused);
        Assert.Equal(409, again);
        Assert.Contains("has data \"hotspots.bin\" already", twice!["error"]!.GetValue<string>());
        Assert.Equal(400, badName);
        Assert.Contains("is not allowed", named!["error"]!.GetValue<string>());
        Assert.Equal(400, noMachine);
        Assert.Contains("?machine=", where!["error"]!.GetValue<string>());
        // Only the one upload was recorded: the refused ones changed nothing.
        Assert.Single((await WebSiloFixture.GetAsync(web.Http, $"/api/incidents/{incident}/data")).Body!.AsArray());
    }

    private static async Task<(int Status, JsonNode? Body)> PutAsync(HttpClient http, string path, byte[] bytes)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PutAsync(path, content);
        return ((int)response.StatusCode, await WebSiloFixture.ParseAsync(response));
    }
}
