namespace OrleansWorkflow.Access;

/// <summary>
/// Who sent an incoming grain call. Grains, and the code a silo hosts (the RabbitMQ adapter, the web view), call as the
/// silo's hosted client, named "hosted-&lt;silo address&gt;" by Orleans; such a call is the engine's when that address is a
/// member of this cluster. Any other client came in through a gateway.
/// </summary>
internal sealed class CallSource(IClusterMembershipService membership)
{
    private const string HostedPrefix = "hosted-";

    /// <summary>The client that sent the call through a gateway, or null for the engine's own calls.</summary>
    public GrainId? GatewayClientOf(IIncomingGrainCallContext context) =>
        context.SourceId is { } client && GrainTypePrefix.IsClient(client) && !IsSilo(client) ? client : null;

    private bool IsSilo(GrainId client)
    {
        var key = client.Key.ToString();
        if (!key.StartsWith(HostedPrefix, StringComparison.Ordinal))
            return false;
        try
        {
            var silo = SiloAddress.FromParsableString(key[HostedPrefix.Length..]);
            return membership.CurrentSnapshot.GetSiloStatus(silo) is not (SiloStatus.None or SiloStatus.Dead);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
