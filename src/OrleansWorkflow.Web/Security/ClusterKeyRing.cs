using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using OrleansWorkflow.Access;

namespace OrleansWorkflow.Web.Security;

/// <summary>
/// ASP.NET Core data protection's key store, in the database through <see cref="IWebKeyRingGrain"/>: session cookies
/// and antiforgery tokens issued by one silo are read by every other, as behind a load balancer they must be.
/// Data protection asks rarely (it caches the ring for hours) and synchronously, hence the blocking calls.
/// </summary>
internal sealed class ClusterKeyRing(IGrainFactory grains) : IXmlRepository
{
    private IWebKeyRingGrain Ring => grains.GetGrain<IWebKeyRingGrain>(0);

    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. Ring.List().GetAwaiter().GetResult().Select(XElement.Parse)];

    public void StoreElement(XElement element, string friendlyName) =>
        Ring.Add(element.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();
}
