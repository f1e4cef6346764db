using OrleansWorkflow.Configuration;

namespace OrleansWorkflow.Web;

/// <summary>The silo's web view: incident pages, HTTP API, dashboard, health endpoints. Bound from the "Web" configuration section.</summary>
public sealed class WebOptions : IValidatedSettings
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Web";

    /// <summary>Whether the owf-silo host serves the web view at all (false: the generic host, no web server). Hosts of your own decide by calling AddWeb or not.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where the owf-silo host listens. Loopback unless set: the API can cancel incidents. Hosts of your own listen
    /// where ASP.NET Core's "Urls" setting says; the library never picks the address.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The Orleans dashboard at /dashboard (it profiles every grain call; turn it off for benchmarks).</summary>
    public bool Dashboard { get; set; } = true;

    /// <inheritdoc />
    public IEnumerable<string> Problems()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return $"Web:Url \"{Url}\" is not an http(s) URL; set it like http://127.0.0.1:8080.";
    }
}
