namespace OrleansWorkflow.Access;

/// <summary>
/// The API keys an admin created at run time (and the first admin key a silo generated), kept in the database where
/// every silo of the cluster finds them. One grain, key 0, holds them all: a cluster has a handful of keys.
/// </summary>
[Access.EngineOnly]
internal interface IAccessKeysGrain : IGrainWithIntegerKey
{
    /// <summary>Every key, by name.</summary>
    Task<IReadOnlyList<AccessKeyRecord>> List();

    /// <summary>Adds <paramref name="key"/> only when no key exists yet; false when one does (another silo was first).</summary>
    Task<bool> AddFirst(AccessKeyRecord key);

    /// <summary>Adds <paramref name="key"/>; refuses a name already taken.</summary>
    Task Add(AccessKeyRecord key);

    /// <summary>Removes the key named <paramref name="name"/>; false when there is none.</summary>
    Task<bool> Remove(string name);
}
