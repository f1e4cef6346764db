using Microsoft.Extensions.Options;
using System.Collections.Concurrent;

namespace OrleansWorkflow.Web.Live;

/// <summary>How many live event streams each principal holds open: at most Web:MaxEventStreamsPerPrincipal.</summary>
internal sealed class EventStreamLimits(IOptions<WebOptions> web)
{
    private readonly ConcurrentDictionary<string, int> _open = new();

    /// <summary>Counts one more stream of <paramref name="principal"/>; false (and nothing counted) when it holds the most already.</summary>
    public bool TryOpen(string principal)
    {
        while (true)
        {
            var open = _open.GetOrAdd(principal, 0);
            if (open >= web.Value.MaxEventStreamsPerPrincipal)
                return false;
            if (_open.TryUpdate(principal, open + 1, open))
                return true;
        }
    }

    public void Close(string principal) => _open.AddOrUpdate(principal, 0, (_, open) => Math.Max(0, open - 1));
}
