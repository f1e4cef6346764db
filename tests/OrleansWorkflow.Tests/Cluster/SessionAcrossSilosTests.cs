using System.Net;
using System.Text.Json.Nodes;
using OrleansWorkflow.Tests.Infrastructure;
using OrleansWorkflow.Tests.Web;

namespace OrleansWorkflow.Tests.Cluster;

/// <summary>Two silos of one cluster, each with a home directory of its own (as on two machines), behind no load balancer affinity.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SessionAcrossSilosTests
{
    [Fact]
    public async Task A_session_opened_on_one_silo_is_good_on_the_other()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        var homes = new[] { Directory.CreateTempSubdirectory("owf-home-a-").FullName, Directory.CreateTempSubdirectory("owf-home-b-").FullName };
        try
        {
            await using var first = await SiloProcess.StartAsync(database, broker, Settings(homes[0]));
            await using var second = await SiloProcess.StartAsync(database, broker, Settings(homes[1]));
            await first.WaitForLogAsync("created the admin key", TimeSpan.FromSeconds(30));
            var key = (await File.ReadAllTextAsync(SiloProcess.AdminKeyFileOf(first.ServiceId))).Trim();

            // Sign in on the first silo as the sign-in page does: its antiforgery token, then the key.
            var cookies = new CookieContainer();
            using var onFirst = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = first.WebUrl };
            (await onFirst.GetAsync("/signin")).EnsureSuccessStatusCode();
            var token = cookies.GetCookies(first.WebUrl)["owf-xsrf"]!.Value;
            using var signIn = new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = new StringContent(new JsonObject { ["key"] = key }.ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
            signIn.Headers.Add("X-OWF-XSRF", Uri.UnescapeDataString(token));
            Assert.Equal(HttpStatusCode.NoContent, (await onFirst.SendAsync(signIn)).StatusCode);
            var session = cookies.GetCookies(first.WebUrl)["owf-session"]!;

            // The same cookie on the second silo.
            var elsewhere = new CookieContainer();
            elsewhere.Add(second.WebUrl, new Cookie(session.Name, session.Value, "/"));
            using var onSecond = new HttpClient(new HttpClientHandler { CookieContainer = elsewhere }) { BaseAddress = second.WebUrl };
            var (status, me) = await WebSiloFixture.GetAsync(onSecond, "/api/me");
            Assert.True(status == 200, $"the second silo answered {status}: {me?.ToJsonString()}");
            Assert.Equal("admin", me!["name"]!.GetValue<string>());
            Assert.True(me["session"]!.GetValue<bool>());
        }
        finally
        {
            foreach (var home in homes)
                Directory.Delete(home, recursive: true);
        }
    }

    private static Dictionary<string, string> Settings(string home) => new()
    {
        ["OWF_Cluster__Membership"] = "postgresql",
        ["HOME"] = home, // ASP.NET Core's default key ring lives under it: no sharing through the file system
    };
}
