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
        return null;
    }

    private static string Shown(JsonNode? value) => value is null ? "none" : value.ToJsonString();
}
