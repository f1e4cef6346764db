using System.Text.Json.Nodes;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Simulations;

/// <summary>Where a file of an incident's data stands.</summary>
public enum DataStatus
{
    /// <summary>Registered; the machine is still fetching it, or hashing it.</summary>
    Pending = 0,
    /// <summary>On the machine, with its size and SHA-256.</summary>
    Ready = 1,
    /// <summary>The fetch failed, or its checksum was not the one expected (see <see cref="DataItem.Detail"/>).</summary>
    Failed = 2,
}

/// <summary>
/// A file of an incident kept on an HPC machine (a fetched input, a job's output), by name: binary, of any size,
/// with its SHA-256. Jobs take it as an input (<see cref="SimulationRequest.Inputs"/>); handlers read it streamed.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DataItem
{
    /// <summary>Its name within the incident.</summary>
    [Id(0)] public string Name { get; init; } = "";
    /// <summary>The incident it belongs to.</summary>
    [Id(1)] public Guid IncidentId { get; init; }
    /// <summary>The machine it is on.</summary>
    [Id(2)] public string Machine { get; init; } = "";
    /// <summary>Its path on the machine.</summary>
    [Id(3)] public string Path { get; init; } = "";
    /// <summary>Pending, Ready or Failed.</summary>
    [Id(4)] public DataStatus Status { get; init; }
    /// <summary>Its size in bytes, once ready.</summary>
    [Id(5)] public long? Size { get; init; }
    /// <summary>Its SHA-256 (lower-case hex), once ready.</summary>
    [Id(6)] public string? Sha256 { get; init; }
    /// <summary>Where it came from: the URL it was fetched from, or the simulation and file it was kept from.</summary>
    [Id(7)] public string Source { get; init; } = "";
    /// <summary>When it was registered.</summary>
    [Id(8)] public DateTimeOffset RegisteredAt { get; init; }
    /// <summary>When it became ready or failed.</summary>
    [Id(9)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Why it failed.</summary>
    [Id(10)] public string? Detail { get; init; }
    /// <summary>The queue told when it is ready or failed; null: none.</summary>
    [Id(11)] public string? NotifyQueue { get; init; }

    /// <summary>The message its notify queue receives: <c>{IncidentID, data, status, machine, size, sha256, detail}</c>.</summary>
    public JsonObject ToMessage() => new()
    {
        [WireContract.IncidentIdKey] = IncidentId.ToString(),
        ["data"] = Name,
        ["status"] = Status.ToString().ToUpperInvariant(),
        ["machine"] = Machine,
        ["size"] = Size,
        ["sha256"] = Sha256,
        ["detail"] = Detail,
    };

    /// <summary>Throws, saying what to use instead, when <paramref name="name"/> cannot name data.</summary>
    public static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 128 || name is "." or ".." || name.StartsWith(SimulationRequest.EngineFilePrefix, StringComparison.Ordinal)
            || name.StartsWith('.') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw new ArgumentException($"Data name \"{name}\" is not allowed: use up to 128 letters, digits, '_', '-' and '.', not starting with '.'.");
    }
}
