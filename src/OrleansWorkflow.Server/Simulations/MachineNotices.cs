using System.Text;
using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Simulations;

/// <summary>How the engine tells a workflow what happened on a machine (a job's transition or end, an ensemble's end, staged data).</summary>
internal static class MachineNotices
{
    /// <summary>
    /// Publishes <paramref name="message"/> to <paramref name="queue"/>'s queue for the incident's urgency, as sent by
    /// machine <paramref name="machine"/>, under <paramref name="messageId"/> (fixed by the caller, so a repeat arrives once).
    /// </summary>
    public static Task TellAsync(this IMessagePublisher publisher, Guid incidentId, IncidentUrgency urgency, string queue, string machine, string messageId, JsonObject message)
    {
        var body = WireMessage.Stamp(message, messageId, SimulationSource.Of(machine));
        return publisher.PublishAsync(new OutgoingMessage(WireContract.QueueFor(queue, urgency), Encoding.UTF8.GetBytes(body), messageId, IncidentId: incidentId), CancellationToken.None);
    }
}
