using System.Globalization;

namespace OrleansWorkflow.Hosting;

/// <summary>
/// Which versions of each workflow kind the handlers of this host run. An incident records the version of its kind
/// when it is created (the newest that a live silo runs) and keeps it for life; its handlers read it
/// (<see cref="Handlers.IHandlerContext.WorkflowVersion"/>) to keep the path an incident began on, and its messages are
/// handled only on silos that run that version. A kind this host does not declare runs version 1 only, the version of
/// every incident created before versions were recorded.
/// </summary>
public sealed class WorkflowVersions
{
    /// <summary>The version of a kind nobody declared, and of incidents recorded before versions were.</summary>
    public const int First = 1;

    /// <summary>Present in the silo metadata of every silo that publishes its versions, declared kinds or not.</summary>
    internal const string MetadataMarker = "owf.workflow-versions";
    /// <summary>Followed by a kind, the silo metadata key of the versions of that kind the silo runs.</summary>
    internal const string MetadataPrefix = "owf.workflow.";

    private readonly Dictionary<string, VersionRange> _kinds = new(StringComparer.Ordinal);

    /// <summary>
    /// What this silo publishes as Orleans silo metadata. Orleans reads it when the silo starts, so the kinds a host
    /// declares after adding the engine are in it.
    /// </summary>
    internal Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal) { [MetadataMarker] = "1" };

    /// <summary>The kinds this host declared, with the versions it runs.</summary>
    public IReadOnlyDictionary<string, VersionRange> Declared => _kinds;

    /// <summary>
    /// Declares that this host's handlers run versions <paramref name="oldest"/> to <paramref name="newest"/> of
    /// <paramref name="kind"/>; throws naming the fix when the range is empty or the kind was declared otherwise.
    /// </summary>
    public WorkflowVersions Declare(string kind, int newest, int oldest = First)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        if (oldest < First || newest < oldest)
            throw new ArgumentOutOfRangeException(nameof(newest), $"Workflow kind \"{kind}\" is declared with versions {oldest} to {newest}; versions start at {First} and the newest is at least the oldest.");
        var range = new VersionRange(oldest, newest);
        if (_kinds.TryGetValue(kind, out var existing) && existing != range)
            throw new ArgumentException($"Workflow kind \"{kind}\" is already declared with versions {existing}; declare each kind once.", nameof(kind));
        _kinds[kind] = range;
        Metadata[MetadataPrefix + kind] = range.ToString();
        return this;
    }

    /// <summary>The versions of <paramref name="kind"/> this host runs.</summary>
    public VersionRange RangeOf(string kind) => _kinds.GetValueOrDefault(kind, VersionRange.Unversioned);

    /// <summary>Whether this host runs <paramref name="version"/> of <paramref name="kind"/>.</summary>
    public bool Runs(string kind, int version) => RangeOf(kind).Contains(version);
}

/// <summary>The versions of a workflow kind a silo runs, <see cref="Oldest"/> to <see cref="Newest"/>.</summary>
public readonly record struct VersionRange(int Oldest, int Newest)
{
    /// <summary>What a silo runs of a kind it does not declare.</summary>
    public static readonly VersionRange Unversioned = new(WorkflowVersions.First, WorkflowVersions.First);

    /// <summary>Whether <paramref name="version"/> is one of these.</summary>
    public bool Contains(int version) => version >= Oldest && version <= Newest;

    /// <summary>"2", or "1-3": as silo metadata and log lines show it.</summary>
    public override string ToString() => Oldest == Newest ? Oldest.ToString(CultureInfo.InvariantCulture) : $"{Oldest}-{Newest}";

    /// <summary>Reads what <see cref="ToString"/> wrote.</summary>
    internal static bool TryParse(string? text, out VersionRange range)
    {
        range = default;
        if (string.IsNullOrEmpty(text))
            return false;
        var dash = text.IndexOf('-');
        var oldestText = dash < 0 ? text : text[..dash];
        var newestText = dash < 0 ? text : text[(dash + 1)..];
        if (!int.TryParse(oldestText, NumberStyles.None, CultureInfo.InvariantCulture, out var oldest)
            || !int.TryParse(newestText, NumberStyles.None, CultureInfo.InvariantCulture, out var newest) || oldest < WorkflowVersions.First || newest < oldest)
            return false;
        range = new VersionRange(oldest, newest);
        return true;
    }
}

/// <summary>An incident's workflow: its kind and the version it was created with.</summary>
[GenerateSerializer, Immutable]
internal readonly record struct IncidentWorkflow([property: Id(0)] string Kind, [property: Id(1)] int Version)
{
    public override string ToString() => $"{Kind} version {Version.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>As it travels in a request context to placement: version, a colon, the kind.</summary>
    public string ToContextValue() => $"{Version.ToString(CultureInfo.InvariantCulture)}:{Kind}";

    public static IncidentWorkflow? FromContextValue(object? value) =>
        value is string text && text.IndexOf(':') is > 0 and var colon
            && int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? new IncidentWorkflow(text[(colon + 1)..], version)
            : null;
}
