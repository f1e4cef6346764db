using Microsoft.Extensions.Options;
using OrleansWorkflow.Access;

namespace OrleansWorkflow.Web.Security;

/// <summary>A key the engine knows: from the configuration or from the database.</summary>
internal sealed record KnownKey(string Name, AccessRole Role, string Hash, string Source, DateTimeOffset? CreatedAt = null, string? CreatedBy = null)
{
    public const string Configuration = "configuration";
    public const string Database = "database";

    public string Id => ApiKeys.IdOf(Hash);
}

/// <summary>
/// Finds the key a request carries among the configured keys and those in the database (read through
/// <see cref="IAccessKeysGrain"/>, cached for a few seconds: a removed key stops working on every silo within that time).
/// </summary>
internal sealed class AccessKeyStore(IOptions<WebOptions> web, IGrainFactory grains, TimeProvider clock)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, KnownKey> _configured = web.Value.ApiKeys.ToDictionary(
        k => k.Hash, k => new KnownKey(k.Name, AccessRoles.Parse(k.Role)!.Value, k.Hash, KnownKey.Configuration));
    private readonly SemaphoreSlim _reading = new(1, 1);
    private (DateTimeOffset At, IReadOnlyList<KnownKey> Keys)? _stored;

    /// <summary>Whether keys come from the configuration; if not, the first silo creates an admin key in the database.</summary>
    public bool HasConfiguredKeys => _configured.Count > 0;

    private IAccessKeysGrain Grain => grains.GetGrain<IAccessKeysGrain>(0);

    public async Task<KnownKey?> FindAsync(string key)
    {
        var hash = ApiKeys.Hash(key);
        return _configured.GetValueOrDefault(hash) ?? (await StoredAsync()).FirstOrDefault(k => k.Hash == hash);
    }

    /// <summary>The key a signed-in session was opened with, if it still exists.</summary>
    public async Task<KnownKey?> FindByIdAsync(string id) =>
        _configured.Values.FirstOrDefault(k => k.Id == id) ?? (await StoredAsync()).FirstOrDefault(k => k.Id == id);

    public async Task<IReadOnlyList<KnownKey>> ListAsync() => [.. _configured.Values, .. await StoredAsync()];

    /// <summary>Creates a key in the database and returns it: the only time anyone sees it.</summary>
    public async Task<string> CreateAsync(string name, AccessRole role, string createdBy)
    {
        if (_configured.Values.Any(k => k.Name == name))
            throw new ArgumentException($"A configured key is named \"{name}\"; pick another name.", nameof(name));
        var key = ApiKeys.NewKey();
        await Grain.Add(Record(name, role, key, createdBy));
        _stored = null;
        return key;
    }

    /// <summary>Creates the first admin key when the database holds none; null when another silo was first.</summary>
    public async Task<string?> CreateFirstAdminAsync(string name)
    {
        var key = ApiKeys.NewKey();
        var created = await Grain.AddFirst(Record(name, AccessRole.Admin, key, "the first silo"));
        _stored = null;
        return created ? key : null;
    }

    public async Task<bool> RemoveAsync(string name)
    {
        if (_configured.Values.Any(k => k.Name == name))
            throw new InvalidOperationException($"The key \"{name}\" is in the configuration (Web:ApiKeys); remove it there.");
        var removed = await Grain.Remove(name);
        _stored = null;
        return removed;
    }

    private AccessKeyRecord Record(string name, AccessRole role, string key, string createdBy) =>
        new(name, role.Name(), ApiKeys.Hash(key), clock.GetUtcNow(), createdBy);

    private async Task<IReadOnlyList<KnownKey>> StoredAsync()
    {
        if (_stored is { } cached && clock.GetUtcNow() - cached.At < Fresh)
            return cached.Keys;
        await _reading.WaitAsync();
        try
        {
            if (_stored is { } again && clock.GetUtcNow() - again.At < Fresh)
                return again.Keys;
            var keys = (await Grain.List())
                .Where(k => AccessRoles.Parse(k.Role) is not null)
                .Select(k => new KnownKey(k.Name, AccessRoles.Parse(k.Role)!.Value, k.Hash, KnownKey.Database, k.CreatedAt, k.CreatedBy))
                .ToList();
            _stored = (clock.GetUtcNow(), keys);
            return keys;
        }
        finally
        {
            _reading.Release();
        }
    }
}
