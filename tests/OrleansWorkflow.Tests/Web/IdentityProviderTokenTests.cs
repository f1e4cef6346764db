using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Web;

/// <summary>
/// A real silo that takes bearer tokens of an OpenID Connect provider. The provider is the test's own: a web server
/// publishing a discovery document and its signing key, as any provider does, and signing the tokens it hands out.
/// </summary>
public sealed class IdentityProviderTokenTests : IAsyncLifetime
{
    private const string Audience = "orleans-workflow-test";
    private readonly RSA _signingKey = RSA.Create(2048);
    private WebApplication _provider = null!;
    private string _authority = "";

    public async Task InitializeAsync()
    {
        _authority = $"http://127.0.0.1:{TestServices.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(_authority);
        _provider = builder.Build();
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_signingKey.ExportParameters(false)) { KeyId = "test-key" });
        _provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = _authority, ["jwks_uri"] = $"{_authority}/jwks", ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _provider.MapGet("/jwks", () => Results.Json(new Dictionary<string, object>
        {
            ["keys"] = new[] { new Dictionary<string, string> { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = jwk.Kid, ["n"] = jwk.N, ["e"] = jwk.E } },
        }));
        await _provider.StartAsync();
    }

    [Fact]
    public async Task A_token_of_the_provider_acts_with_the_role_it_names_and_a_forged_expired_or_roleless_one_is_refused()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var broker = await TestVirtualHost.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database, broker, new Dictionary<string, string>
        {
            ["OWF_Web__Jwt__Authority"] = _authority,
            ["OWF_Web__Jwt__Audience"] = Audience,
        });
        using var forger = RSA.Create(2048);

        var operatorToken = Token("ana", ["operator"], _signingKey);
        Assert.Equal(201, (await PostAsync(silo, operatorToken, "/api/incidents", """{"name": "token fire", "kind": "FIRE"}""")).Status);
        await silo.WaitForLogAsync("POST /api/incidents by ana (operator): 201", TimeSpan.FromSeconds(60));

        var viewerToken = Token("bo", ["viewer"], _signingKey);
        Assert.Equal(200, (await GetAsync(silo, viewerToken, "/api/incidents")).Status);
        Assert.Equal(403, (await PostAsync(silo, viewerToken, "/api/incidents", """{"name": "x", "kind": "FIRE"}""")).Status);

        foreach (var (what, token) in new[]
        {
            ("signed by another key", Token("eve", ["admin"], forger)),
            ("expired", Token("ana", ["operator"], _signingKey, expires: DateTime.UtcNow.AddMinutes(-10))),
            ("for another audience", Token("ana", ["operator"], _signingKey, audience: "someone-else")),
            ("naming no role of the engine", Token("cy", ["pilot"], _signingKey)),
        })
        {
            var (status, body) = await GetAsync(silo, token, "/api/incidents");
            Assert.True(status == 401, $"a token {what} answered {status}: {body?.ToJsonString()}");
        }
        await silo.WaitForLogAsync("Refused a bearer token", TimeSpan.FromSeconds(60));
    }

    private string Token(string name, string[] roles, RSA key, DateTime? expires = null, string audience = Audience) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _authority,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("preferred_username", name), .. roles.Select(r => new Claim("roles", r))]),
            NotBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            IssuedAt = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        });

    private static HttpClient Http(SiloProcess silo, string token)
    {
        var http = new HttpClient { BaseAddress = silo.WebUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    private static async Task<(int Status, System.Text.Json.Nodes.JsonNode? Body)> GetAsync(SiloProcess silo, string token, string path)
    {
        using var http = Http(silo, token);
        return await WebSiloFixture.GetAsync(http, path);
    }

    private static async Task<(int Status, System.Text.Json.Nodes.JsonNode? Body)> PostAsync(SiloProcess silo, string token, string path, string body)
    {
        using var http = Http(silo, token);
        return await WebSiloFixture.PostAsync(http, path, body);
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        _signingKey.Dispose();
    }
}
