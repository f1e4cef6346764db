using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace OrleansWorkflow.Access;

/// <summary>
/// Refuses calls to <see cref="EngineOnlyAttribute"/> interfaces that come from a client connected through a gateway
/// (<see cref="CallSource"/>). A client can name itself anything, so on networks that are not private only TLS with
/// client certificates keeps strangers off the gateway; this check keeps the clients that are let in to the client
/// operations.
/// </summary>
internal sealed class EngineCallFilter(CallSource sources, ILogger<EngineCallFilter> logger) : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<Type, bool> EngineOnly = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var declaring = context.InterfaceMethod?.DeclaringType;
        if (declaring is null || !EngineOnly.GetOrAdd(declaring, type => type.GetCustomAttribute<EngineOnlyAttribute>() is not null)
            || sources.GatewayClientOf(context) is not { } client)
            return context.Invoke();
        logger.LogWarning("Refused {Interface}.{Method} to client {Client}: only the engine calls it", declaring.Name, context.InterfaceMethod!.Name, client);
        throw new UnauthorizedAccessException($"{declaring.Name}.{context.InterfaceMethod.Name} is called by the engine only, not by clients; use IIncidentGrain, WorkflowClient or the HTTP API.");
    }
}
