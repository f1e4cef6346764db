using System.Text;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Handlers;

/// <summary>Carries out a handler's kept effects: publishes its messages (confirmed), then, in order, submits its simulations and completes or cancels its incident.</summary>
internal sealed class OutboxDispatcher(QueuePublisher publisher, IGrainFactory grains)
{
    public async Task DispatchAsync(Guid incidentId, IReadOnlyList<OutboxEntry> outbox, CancellationToken cancellationToken)
    {
        await publisher.PublishAllAsync(
            outbox.Where(e => e.Kind == OutboxKind.Message)
                  .Select(e => new OutgoingMessage(e.Queue!, Encoding.UTF8.GetBytes(e.Body!), e.MessageId, IncidentId: incidentId)),
            cancellationToken);

        var incident = grains.GetGrain<IIncidentGrain>(incidentId);
        foreach (var entry in outbox)
        {
            switch (entry.Kind)
            {
                case OutboxKind.CompleteIncident:
                    await incident.Complete();
                    break;
                case OutboxKind.CancelIncident:
                    await incident.Cancel(entry.Reason!);
                    break;
                case OutboxKind.SubmitSimulation:
                    await grains.GetGrain<IMachinePollerGrain>(entry.Simulation!.Machine).Track(entry.SimulationId, incidentId, entry.Simulation);
                    break;
            }
        }
    }
}
