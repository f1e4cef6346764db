using System.Text.Json.Nodes;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Simulations;

/// <summary>
/// The message a simulation sends to its notify queue when its job ends:
/// <c>{IncidentID, SimulationID, machine, jobId, wkdir, status, exitCode, detail}</c>; with
/// <see cref="SimulationRequest.NotifyOn"/>, also when it is queued and when it runs (status QUEUED, RUNNING; see <see cref="Ended"/>).
/// </summary>
/// <param name="IncidentId">The incident the job ran for.</param>
/// <param name="SimulationId">The simulation.</param>
/// <param name="Machine">The machine it ran on.</param>
/// <param name="JobId">The scheduler's job id, once submitted.</param>
/// <param name="WorkingDirectory">Its directory on the machine.</param>
/// <param name="Status">How it ended.</param>
/// <param name="ExitCode">Its exit code, when the scheduler reports one.</param>
/// <param name="Detail">What the scheduler said last, or the evidence for Lost.</param>
public sealed record SimulationEnd(Guid IncidentId, Guid SimulationId, string Machine, string? JobId, string WorkingDirectory,
    SimulationStatus Status, int? ExitCode, string? Detail)
{
    /// <summary>Whether the job ended (false for a Queued or Running notice).</summary>
    public bool Ended => Status.IsFinished();

    /// <summary>For a member of an ensemble (<see cref="EnsembleRequest"/>): the ensemble's SimulationID.</summary>
    public Guid? EnsembleId { get; init; }

    /// <summary>For a member of an ensemble: its index, from 0, in <see cref="EnsembleRequest.Members"/>.</summary>
    public int? Member { get; init; }

    /// <summary>For an ensemble's end: each member as it stood when the ensemble's end was told, in member order (empty for a single job).</summary>
    public IReadOnlyList<SimulationEnd> Members { get; init; } = [];

    /// <summary>The end message of an ended simulation (or the notice of its current transition).</summary>
    public static SimulationEnd Of(SimulationInfo simulation) => new(simulation.IncidentId, simulation.SimulationId,
        simulation.Machine, simulation.JobId, simulation.WorkingDirectory, simulation.Status, simulation.ExitCode, simulation.Detail);

    /// <summary>The message as the notify queue receives it.</summary>
    public JsonObject ToMessage()
    {
        var message = Fields();
        if (EnsembleId is { } ensemble)
            message["ensembleId"] = ensemble.ToString();
        if (Member is { } member)
            message["member"] = member;
        if (Members.Count > 0)
            message["members"] = new JsonArray([.. Members.Select(m => (JsonNode)m.ToMessage())]);
        return message;
    }

    private JsonObject Fields() => new()
    {
        [WireContract.IncidentIdKey] = IncidentId.ToString(),
        ["SimulationID"] = SimulationId.ToString(),
        ["machine"] = Machine,
        ["jobId"] = JobId,
        ["wkdir"] = WorkingDirectory,
        ["status"] = Status.ToWire(),
        ["exitCode"] = ExitCode,
        ["detail"] = Detail,
    };

    /// <summary>Reads the message a notify queue's handler received; throws naming the missing field.</summary>
    public static SimulationEnd From(JsonObject message)
    {
        string Text(string key) => message[key]?.GetValue<string>() ?? throw new ArgumentException($"The simulation end message has no \"{key}\".");
        var status = Text("status");
        var members = message["members"] is JsonArray list ? list.Select(m => From(m as JsonObject ?? throw new ArgumentException("An ensemble end's \"members\" holds a value that is not a member's end."))).ToList() : [];
        return new SimulationEnd(
            Guid.Parse(Text(WireContract.IncidentIdKey)),
            Guid.Parse(Text("SimulationID")),
            Text("machine"),
            message["jobId"]?.GetValue<string>(),
            Text("wkdir"),
            Enum.TryParse<SimulationStatus>(status, ignoreCase: true, out var parsed) ? parsed : throw new ArgumentException($"Unknown simulation status \"{status}\"."),
            message["exitCode"]?.GetValue<int>(),
            message["detail"]?.GetValue<string>())
        {
            EnsembleId = message["ensembleId"]?.GetValue<string>() is { } ensemble ? Guid.Parse(ensemble) : null,
            Member = message["member"]?.GetValue<int>(),
            Members = members,
        };
    }
}

/// <summary>How simulations appear as senders.</summary>
public static class SimulationSource
{
    /// <summary>The originator of a simulation's end message, and its node in the incident graph: "hpc:&lt;machine&gt;".</summary>
    public static string Of(string machine) => $"hpc:{machine}";
}
