using OrleansWorkflow.Access;

namespace OrleansWorkflow.Web.Security;

/// <summary>Gateway clients are named and authorized by the cluster's API keys, as HTTP requests are.</summary>
internal sealed class ApiKeyGatewayCallers(AccessKeyStore keys) : IGatewayCallers
{
    public async Task<GatewayCaller> AuthorizeAsync(string? key, string role)
    {
        var needed = AccessRoles.Parse(role) ?? throw new ArgumentOutOfRangeException(nameof(role), role, "not a role");
        if (string.IsNullOrEmpty(key))
            return new GatewayCaller(null, null, "the client sent no API key");
        if (await keys.FindAsync(key) is not { } known)
            return new GatewayCaller(null, null, "the client's API key is not known here");
        return known.Role >= needed
            ? new GatewayCaller(known.Name, known.Role.Name(), null)
            : new GatewayCaller(known.Name, known.Role.Name(), $"the key \"{known.Name}\" has role {known.Role.Name()}");
    }
}
