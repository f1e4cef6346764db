using OrleansWorkflow.Configuration;
using OrleansWorkflow.Web.Security;

namespace OrleansWorkflow.Web;

/// <summary>The silo's web view: incident pages, HTTP API, dashboard, health endpoints. Bound from the "Web" configuration section.</summary>
public sealed class WebOptions : IValidatedOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Web";

    /// <summary>The configuration key of <paramref name="property"/>: the one place its name is written is the property itself.</summary>
    private static string Key(string property) => $"{Section}:{property}";

    /// <summary>Whether the owf-silo host serves the web view at all (false: the generic host, no web server). Hosts of your own decide by calling AddWeb or not.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where the owf-silo host listens. Loopback unless set: the API can cancel incidents. Hosts of your own listen
    /// where ASP.NET Core's "Urls" setting says; the library never picks the address.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The Orleans dashboard at /dashboard (it profiles every grain call; turn it off for benchmarks).</summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>
    /// API keys given in configuration (Web:ApiKeys:0:Name, :Role, :Hash), each with a name for the audit log, a role
    /// and the key's hash ("sha256:" and the hex SHA-256 of the key, as <c>printf %s "$key" | sha256sum</c> gives it; the key itself is never configured). With none here and none
    /// in the database, the first silo of the cluster creates an admin key (see <see cref="AdminKeyFile"/>).
    /// </summary>
    public List<ConfiguredApiKey> ApiKeys { get; set; } = [];

    /// <summary>
    /// Where the first silo writes the admin key it creates (mode 0600). Default: ~/.config/orleans-workflow/&lt;ClusterId&gt;.admin-key.
    /// </summary>
    public string? AdminKeyFile { get; set; }

    /// <summary>
    /// Bearer tokens of the site's identity provider (OpenID Connect / JWT) as an alternative to API keys: Web:Jwt:Authority
    /// and :Audience; the role is read from the token's :RoleClaim (default "roles", values viewer, operator, admin).
    /// </summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Live event streams one principal may hold open at once (pages left open count); more get 429.</summary>
    public int MaxEventStreamsPerPrincipal { get; set; } = 16;

    /// <summary>State-changing API calls one principal may make per second (twice as many in a burst); more get 429.</summary>
    public int MutationsPerSecond { get; set; } = 100;

    /// <summary>Graphviz processes drawing graphs at once; drawn graphs are cached.</summary>
    public int MaxGraphDrawings { get; set; } = 2;

    /// <summary>The largest file an operator may upload as an incident's data (PUT /api/incidents/{id}/data/{name}), in bytes (default 20 GiB).</summary>
    public long MaxUploadBytes { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <inheritdoc />
    public IEnumerable<string> Problems()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return $"{Key(nameof(Url))} \"{Url}\" is not an http(s) URL; set it like http://127.0.0.1:8080.";
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var key = ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key.Name))
                yield return $"{Key(nameof(ApiKeys))}:{i}:{nameof(ConfiguredApiKey.Name)} is empty; name each key (the audit log says who did what by it).";
            else if (ApiKeys.Take(i).Any(k => k.Name == key.Name))
                yield return $"{Key(nameof(ApiKeys))}:{i}:{nameof(ConfiguredApiKey.Name)} \"{key.Name}\" is given twice; give each key its own name.";
            if (AccessRoles.Parse(key.Role) is null)
                yield return $"{Key(nameof(ApiKeys))}:{i}:{nameof(ConfiguredApiKey.Role)} \"{key.Role}\" is not a role; use viewer, operator or admin.";
            if (!Security.ApiKeys.IsHash(key.Hash))
                yield return $"{Key(nameof(ApiKeys))}:{i}:{nameof(ConfiguredApiKey.Hash)} is not a key hash; configure \"sha256:\" and the 64 hex digits of the key's SHA-256 (printf %s \"$key\" | sha256sum), never the key.";
        }
        foreach (var problem in Jwt.Problems(Key(nameof(Jwt))))
            yield return problem;
        if (MaxEventStreamsPerPrincipal < 1)
            yield return $"{Key(nameof(MaxEventStreamsPerPrincipal))} is {MaxEventStreamsPerPrincipal}; set at least 1 (default 16).";
        if (MutationsPerSecond < 1)
            yield return $"{Key(nameof(MutationsPerSecond))} is {MutationsPerSecond}; set at least 1 (default 100).";
        if (MaxGraphDrawings < 1)
            yield return $"{Key(nameof(MaxGraphDrawings))} is {MaxGraphDrawings}; set at least 1 (default 2).";
        if (MaxUploadBytes < 1)
            yield return $"{Key(nameof(MaxUploadBytes))} is {MaxUploadBytes}; set a size in bytes (default 21474836480, 20 GiB).";
    }
}

/// <summary>An API key of the configuration: its name, role and hash.</summary>
public sealed class ConfiguredApiKey
{
    /// <summary>Who uses the key, as the audit log names them.</summary>
    public string Name { get; set; } = "";

    /// <summary>viewer, operator or admin.</summary>
    public string Role { get; set; } = "";

    /// <summary>The key's hash: "sha256:" and the 64 hex digits of its SHA-256.</summary>
    public string Hash { get; set; } = "";
}

/// <summary>Bearer tokens of an OpenID Connect identity provider.</summary>
public sealed class JwtOptions
{
    /// <summary>The identity provider (its /.well-known/openid-configuration says where its signing keys are). Empty: no tokens, API keys only.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The audience tokens must be issued for (this engine's client id or API name at the provider).</summary>
    public string Audience { get; set; } = "";

    /// <summary>The claim holding the role(s): viewer, operator or admin (the highest one counts).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The claim naming the person, for the audit log.</summary>
    public string NameClaim { get; set; } = "preferred_username";

    /// <summary>Whether tokens are accepted at all.</summary>
    public bool Enabled => Authority.Length > 0;

    /// <summary>Whether the provider may be reached over plain HTTP: only on loopback (a provider run beside the silo, or in tests).</summary>
    public bool IsLoopback => Uri.TryCreate(Authority, UriKind.Absolute, out var uri) && uri.IsLoopback;

    /// <summary>Every problem of these settings, each by its key under <paramref name="section"/>.</summary>
    internal IEnumerable<string> Problems(string section)
    {
        if (!Enabled)
            yield break;
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var uri) || !(uri.Scheme == "https" || (uri.Scheme == "http" && uri.IsLoopback)))
            yield return $"{section}:{nameof(Authority)} \"{Configuration.Secrets.RedactUri(Authority)}\" is not an https URL of an identity provider (http only on loopback); set it like https://login.example.org/realms/fire.";
        if (string.IsNullOrWhiteSpace(Audience))
            yield return $"{section}:{nameof(Audience)} is empty; set the audience the provider issues this engine's tokens for.";
        if (string.IsNullOrWhiteSpace(RoleClaim) || string.IsNullOrWhiteSpace(NameClaim))
            yield return $"{section}:{nameof(RoleClaim)} and {section}:{nameof(NameClaim)} must name claims of the provider's tokens (defaults roles and preferred_username).";
    }
}
