using System.Net;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Web.Security;

namespace OrleansWorkflow.Tests.Web;

/// <summary>A silo whose keys are in its configuration, as hashes: they work, and no admin key is generated.</summary>
public sealed class ConfiguredKeyTests
{
    [Fact]
    public async Task Keys_configured_by_their_hash_sign_in_with_their_role_and_no_admin_key_is_created()
    {
        var operatorKey = ApiKeys.NewKey();
        var keyFile = Path.Combine(Path.GetTempPath(), $"owf-configured-{Guid.NewGuid():N}", "admin-key");
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string>
        {
            ["OWF_Web__ApiKeys__0__Name"] = "ops-desk",
            ["OWF_Web__ApiKeys__0__Role"] = "operator",
            ["OWF_Web__ApiKeys__0__Hash"] = ApiKeys.Hash(operatorKey),
            ["OWF_Web__AdminKeyFile"] = keyFile,
        });
        using var http = new HttpClient { BaseAddress = silo.WebUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", operatorKey);

        var (status, me) = await WebSiloFixture.GetAsync(http, "/api/me");
        Assert.Equal(200, status);
        Assert.Equal("ops-desk", me!["name"]!.GetValue<string>());
        Assert.Equal("operator", me["role"]!.GetValue<string>());
        Assert.Equal(201, (await WebSiloFixture.PostAsync(http, "/api/incidents", """{"name": "configured", "kind": "TEST"}""")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/keys")).StatusCode);

        Assert.False(File.Exists(keyFile), "an admin key was written although keys are configured");
        Assert.DoesNotContain("created the admin key", silo.Log);
        Assert.DoesNotContain(operatorKey, silo.Log);
    }
}
