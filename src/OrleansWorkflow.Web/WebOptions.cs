namespace OrleansWorkflow.Web;

/// <summary>The silo's web server: incident pages, HTTP API, dashboard. Bound from the "Web" configuration section.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Serve the web view at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where to listen. Loopback unless set: the API can cancel incidents and has no authentication of its own.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The Orleans dashboard at /dashboard (it profiles every grain call; turn it off for benchmarks).</summary>
    public bool Dashboard { get; set; } = true;

    public void Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"Web:Url \"{Url}\" is not an http(s) URL; set it like http://127.0.0.1:8080.");
    }
}
