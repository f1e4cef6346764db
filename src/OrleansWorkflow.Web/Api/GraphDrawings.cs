using Microsoft.Extensions.Options;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using OrleansWorkflow.Client.Graph;
using OrleansWorkflow.Graph;

namespace OrleansWorkflow.Web.Api;

/// <summary>
/// Draws incident graphs for the API and the pages: a graph already drawn comes from a cache (a page redraws on every
/// change, and many pages watch one incident), and at most Web:MaxGraphDrawings Graphviz processes run at once.
/// </summary>
internal sealed class GraphDrawings(IOptions<WebOptions> web) : IDisposable
{
    private static readonly TimeSpan WaitForTurn = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _drawing = new(web.Value.MaxGraphDrawings, web.Value.MaxGraphDrawings);
    private readonly MemoryCache _drawn = new(new MemoryCacheOptions { SizeLimit = 32 * 1024 * 1024 });

    /// <summary>The graph in <paramref name="format"/>, or null when no turn to draw came within 10 s.</summary>
    public async Task<byte[]?> RenderAsync(IncidentGraph graph, string format, CancellationToken cancellationToken)
    {
        if (format != "svg")
            return await GraphFiles.RenderAsync(graph, format, cancellationToken);
        var dot = GraphFormats.ToDot(graph);
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(dot)));
        if (_drawn.TryGetValue(key, out byte[]? cached))
            return cached;
        if (!await _drawing.WaitAsync(WaitForTurn, cancellationToken))
            return null;
        try
        {
            var drawn = await GraphFiles.DrawAsync(dot, format, cancellationToken);
            _drawn.Set(key, drawn, new MemoryCacheEntryOptions { Size = drawn.Length, SlidingExpiration = TimeSpan.FromMinutes(10) });
            return drawn;
        }
        finally
        {
            _drawing.Release();
        }
    }

    public void Dispose()
    {
        _drawn.Dispose();
        _drawing.Dispose();
    }
}
