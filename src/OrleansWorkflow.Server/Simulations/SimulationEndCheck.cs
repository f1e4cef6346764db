using System.Text.Json.Nodes;

namespace OrleansWorkflow.Simulations;

/// <summary>
/// A message that claims a simulation's end is believed only when the engine's own record of that simulation says the
/// same: anyone who may publish to a notify queue could otherwise complete an incident with a job that never ran, or
/// point <see cref="Handlers.ISimulations.ReadFileAsync"/> at another directory.
/// </summary>
internal static class SimulationEndCheck
{
    /// <summary>
    /// Why the message is refused, or null when it claims no simulation end or its claim holds. Any queue may receive
    /// a true end (a handler may pass one on); none receives a false one.
    /// </summary>
    public static async Task<string?> RefusalAsync(JsonObject message, Guid incident, IGrainFactory grains)
    {
        // Decided on the parsed object the handler reads: a key written with escapes is the same key here as there.
        if (!message.TryGetPropertyValue("SimulationID", out var claim))
            return null; // most messages: no claim
        if (claim is not JsonValue claimed || !claimed.TryGetValue<string>(out var text) || !Guid.TryParse(text, out var simulationId))
            return claim is null ? null : "it claims a simulation's end, but its SimulationID is no UUID";
        // A FirstToStart race speaks under its own id, with its winner's job.
        var known = await KnownSimulations.FindAsync(grains, simulationId);
        if (known is null)
            return $"it claims the end of simulation {simulationId}, which the engine never submitted";
        if (known.IncidentId != incident)
            return $"it claims the end of simulation {simulationId}, which belongs to another incident";
        var told = SimulationEnd.Of(known).ToMessage();
        // A Queued or Running notice is true when the job got that far (it may be further by now).
        if (message["status"] is JsonValue status && status.TryGetValue<string>(out var claimedStatus)
            && Enum.TryParse<SimulationStatus>(claimedStatus, ignoreCase: true, out var transition) && transition is SimulationStatus.Queued or SimulationStatus.Running)
        {
            if (known.Status < transition)
                return $"it claims simulation {simulationId} is {transition}, but the engine knows it {known.Status}";
            told["status"] = claimedStatus;
            told["exitCode"] = null;
        }
        else if (!known.Status.IsFinished())
            return $"it claims the end of simulation {simulationId}, which has not ended (the engine knows it {known.Status})";
        foreach (var field in new[] { "machine", "jobId", "wkdir", "status", "exitCode" })
            if (!JsonNode.DeepEquals(message[field], told[field]))
                return $"it claims simulation {simulationId} ended with {field} {Shown(message[field])}, but the engine knows {Shown(told[field])}";
        return await EnsembleRefusalAsync(message, simulationId, grains);
    }

    /// <summary>What a message claims of an ensemble: that its simulation is a member of one, or which members an ensemble's end lists.</summary>
    private static async Task<string?> EnsembleRefusalAsync(JsonObject message, Guid simulationId, IGrainFactory grains)
    {
        if (message["ensembleId"] is not null || message["member"] is not null)
        {
            if (!(message["ensembleId"] is JsonValue e && e.TryGetValue<string>(out var text) && Guid.TryParse(text, out var ensembleId)
                  && message["member"] is JsonValue m && m.TryGetValue<int>(out var member)))
                return $"it claims simulation {simulationId} is an ensemble's member, but its ensembleId and member are not a UUID and a number";
            if (member < 0 || member >= EnsembleRequest.MaxMembers || EnsembleRequest.MemberId(ensembleId, member) != simulationId)
                return $"it claims simulation {simulationId} is member {member} of ensemble {ensembleId}, which it is not";
        }
        if (message["members"] is { } claimed)
        {
            var told = await grains.GetGrain<IEnsembleGrain>(simulationId).GetToldMembers();
            if (told is null)
                return $"it lists members of simulation {simulationId}, which is no ensemble that ended";
            if (!JsonNode.DeepEquals(claimed, JsonNode.Parse(told)))
                return $"it lists members of ensemble {simulationId} other than those the engine told";
        }
        return null;
    }

    private static string Shown(JsonNode? value) => value is null ? "none" : value.ToJsonString();
}
