using Orleans.Runtime.MembershipService.SiloMetadata;

namespace OrleansWorkflow.Hosting;

/// <summary>
/// Which live silo runs which workflow versions: each silo publishes its <see cref="WorkflowVersions"/> as Orleans silo
/// metadata (<see cref="WorkflowVersions.Metadata"/>), which every silo caches. A silo whose metadata is not known yet (it is being
/// fetched, or the silo is of a release that published none) is taken to run nothing versioned.
/// </summary>
internal sealed class ClusterWorkflowVersions(WorkflowVersions local, ISiloMetadataCache metadata, IClusterMembershipService membership, ILocalSiloDetails self)
{
    /// <summary>The version a new incident of <paramref name="kind"/> records: the newest a live silo runs.</summary>
    public int NewestRunning(string kind) =>
        LiveRanges(kind).Select(r => r.Range.Newest).DefaultIfEmpty(local.RangeOf(kind).Newest).Max();

    /// <summary>Whether a live silo runs <paramref name="workflow"/>.</summary>
    public bool AnyRuns(IncidentWorkflow workflow) => LiveRanges(workflow.Kind).Any(r => r.Range.Contains(workflow.Version));

    /// <summary>
    /// Whether this silo's view of the cluster's versions is settled: no silo is joining, and the versions of every live
    /// silo are known. A silo is in the membership before its metadata is fetched (a few seconds after it joined, longer
    /// when the fetch fails), and a silo of a release before versions publishes none.
    /// </summary>
    public bool Settled() =>
        membership.CurrentSnapshot.Members.Values.All(m => m.Status switch
        {
            SiloStatus.Joining or SiloStatus.Created => false,
            SiloStatus.Active => Publishes(m.SiloAddress),
            _ => true,
        });

    /// <summary>The live silos that run <paramref name="workflow"/>.</summary>
    public IEnumerable<SiloAddress> RunningSilos(IncidentWorkflow workflow) =>
        LiveRanges(workflow.Kind).Where(r => r.Range.Contains(workflow.Version)).Select(r => r.Silo);

    /// <summary>Those of <paramref name="candidates"/> that run <paramref name="workflow"/>.</summary>
    public IEnumerable<SiloAddress> Running(IncidentWorkflow workflow, IEnumerable<SiloAddress> candidates) =>
        candidates.Where(silo => RangeOn(silo, workflow.Kind) is { } range && range.Contains(workflow.Version));

    /// <summary>What the live silos run of <paramref name="kind"/>, for messages that name the fix: "1-2 on S1, 1 on S2".</summary>
    public string Describe(string kind)
    {
        var ranges = LiveRanges(kind).Select(r => $"{r.Range} on {r.Silo}").ToList();
        return ranges.Count == 0 ? "no live silo publishes its versions" : string.Join(", ", ranges);
    }

    private IEnumerable<(SiloAddress Silo, VersionRange Range)> LiveRanges(string kind)
    {
        foreach (var member in membership.CurrentSnapshot.Members.Values)
            if (member.Status == SiloStatus.Active && RangeOn(member.SiloAddress, kind) is { } range)
                yield return (member.SiloAddress, range);
    }

    private VersionRange? RangeOn(SiloAddress silo, string kind)
    {
        if (silo.Equals(self.SiloAddress))
            return local.RangeOf(kind);
        if (!Publishes(silo))
            return null;
        return VersionRange.TryParse(metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(WorkflowVersions.MetadataPrefix + kind), out var range)
            ? range : VersionRange.Unversioned;
    }

    /// <summary>Whether this silo knows what <paramref name="silo"/> runs (its metadata was fetched and names versions).</summary>
    private bool Publishes(SiloAddress silo) =>
        silo.Equals(self.SiloAddress) || metadata.GetSiloMetadata(silo).Metadata.ContainsKey(WorkflowVersions.MetadataMarker);
}
