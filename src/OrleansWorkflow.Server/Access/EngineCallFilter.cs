using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace OrleansWorkflow.Access;

/// <summary>
/// Refuses calls to <see cref="EngineOnlyAttribute"/> interfaces that come from a client connected through a gateway.
/// Grains, and the code a silo hosts (the RabbitMQ adapter, the web view), call as the silo's hosted client, named
/// "hosted-&lt;silo address&gt;" by Orleans; such a call is the engine's when that address is a member of this cluster.
/// A client can name itself anything, so on networks that are not private only TLS with client certificates keeps
/// strangers off the gateway; this check keeps the clients that are let in to the client operations.
/// </summary>
internal sealed class EngineCallFilter(IClusterMembershipService membership, ILogger<EngineCallFilter> logger) : IIncomingGrainCallFilter
{
    private const string HostedPrefix = "hosted-";
    private static readonly ConcurrentDictionary<Type, bool> EngineOnly = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var declaring = context.InterfaceMethod?.DeclaringType;
        if (declaring is null || !EngineOnly.GetOrAdd(declaring, type => type.GetCustomAttribute<EngineOnlyAttribute>() is not null)
            || context.SourceId is not { } client || !GrainTypePrefix.IsClient(client) || IsSilo(client))
            return context.Invoke();
        logger.LogWarning("Refused {Interface}.{Method} to client {Client}: only the engine calls it", declaring.Name, context.InterfaceMethod!.Name, client);
        throw new UnauthorizedAccessException($"{declaring.Name}.{context.InterfaceMethod.Name} is called by the engine only, not by clients; use IIncidentGrain, WorkflowClient or the HTTP API.");
    }

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
