using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Configuration;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Access;

/// <summary>Who made a change through the gateway, or why they may not.</summary>
internal sealed record GatewayCaller(string? Name, string? Role, string? Refusal);

/// <summary>
/// Tells who holds an API key and whether that role may make a change. The web component implements it with the
/// cluster's API keys (configured and created); a silo without it lets no gateway client change anything.
/// </summary>
internal interface IGatewayCallers
{
    /// <summary>The holder of <paramref name="key"/> when its role is <paramref name="role"/> ("operator", "admin") or above; otherwise the refusal.</summary>
    Task<GatewayCaller> AuthorizeAsync(string? key, string role);
}

/// <summary>
/// The calls of the client surface that change the engine, and the role each needs: the same as the HTTP API's
/// (creating, creating in batches, completing and cancelling incidents and setting a machine's mode: operator; purging: admin). Every other
/// method of the client surface only reads.
/// </summary>
internal static class GatewayChanges
{
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static readonly IReadOnlyDictionary<MethodInfo, string> Roles = new Dictionary<MethodInfo, string>
    {
        [Method<IIncidentGrain>(nameof(IIncidentGrain.Create))] = Operator,
        [Method<IIncidentBatchGrain>(nameof(IIncidentBatchGrain.CreateMany))] = Operator,
        [Method<IIncidentGrain>(nameof(IIncidentGrain.Complete))] = Operator,
        [Method<IIncidentGrain>(nameof(IIncidentGrain.Cancel))] = Operator,
        [Method<IMachineRegistryGrain>(nameof(IMachineRegistryGrain.SetMode))] = Operator,
        [Method<IRetentionGrain>(nameof(IRetentionGrain.PurgeFinished))] = Admin,
    };

    private static MethodInfo Method<T>(string name) => typeof(T).GetMethod(name) ?? throw new MissingMethodException(typeof(T).Name, name);
}

/// <summary>
/// Lets a gateway client make a change only with an API key whose role allows it, and writes each change, and each
/// refusal, to the audit log (category OrleansWorkflow.Web.Audit, beside the HTTP API's) with the key's name. The key
/// travels in the call's request context and is dropped before the grain runs, so it goes no further.
/// </summary>
internal sealed class GatewayChangeFilter(CallSource sources, IServiceProvider services, ILoggerFactory loggers) : IIncomingGrainCallFilter
{
    private readonly ILogger _audit = loggers.CreateLogger("OrleansWorkflow.Web.Audit");
    private readonly IGatewayCallers? _callers = services.GetService<IGatewayCallers>();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Only a gateway client sets the key; it goes no further than the first grain, whatever that grain calls next.
        var key = RequestContext.Get(GatewayApiKey.RequestContextKey) as string;
        if (key is not null)
            RequestContext.Remove(GatewayApiKey.RequestContextKey);
        // Most calls are no change of the client surface: one lookup, and the source is never asked.
        if (context.InterfaceMethod is not { } method || !GatewayChanges.Roles.TryGetValue(method, out var role)
            || sources.GatewayClientOf(context) is not { } client)
            return context.Invoke();
        return ChangeAsync(context, $"{method.DeclaringType!.Name}.{method.Name}", role, client, key);
    }

    private async Task ChangeAsync(IIncomingGrainCallContext context, string call, string role, GrainId client, string? key)
    {
        var target = context.TargetId.TryGetGuidKey(out var incident, out _) ? incident.ToString() : context.TargetId.Key.ToString();
        var caller = _callers is null
            ? new GatewayCaller(null, null, "this silo keeps no API keys (it has no web component): add AddWeb() to every silo of the cluster to let clients make changes")
            : await _callers.AuthorizeAsync(key, role);
        if (caller.Refusal is { } refusal)
        {
            _audit.LogWarning("Refused {Call} {Target} to gateway client {Client}{Holder}: {Refusal}", call, target, client,
                caller.Name is null ? "" : $" ({caller.Name}, {caller.Role})", refusal);
            throw new UnauthorizedAccessException($"{call} changes the engine and needs an API key of role {role} or above: {refusal}. " +
                "Give the client one (OWF_API_KEY for owf and WorkflowClientOptions.FromEnvironment, or WorkflowClientOptions.ApiKey); an admin creates keys with POST /api/keys.");
        }
        try
        {
            await context.Invoke();
            _audit.LogInformation("{Call} {Target} by {Name} ({Role}) through the gateway: done", call, target, caller.Name, caller.Role);
        }
        catch (Exception e)
        {
            _audit.LogInformation("{Call} {Target} by {Name} ({Role}) through the gateway: failed ({Error})", call, target, caller.Name, caller.Role, e.Message);
            throw;
        }
    }
}
