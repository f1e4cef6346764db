using System.Text;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Time;

namespace OrleansWorkflow.Handlers;

/// <summary>Carries out a handler's kept effects: publishes its messages (confirmed), hands its messages for later to the incident's timers, registers its data, then, in order, submits its simulations and completes or cancels its incident.</summary>
internal sealed class OutboxDispatcher(IMessagePublisher publisher, IGrainFactory grains)
{
    public async Task DispatchAsync(Guid incidentId, IReadOnlyList<OutboxEntry> outbox, CancellationToken cancellationToken)
    {
        await publisher.PublishAllAsync(
            outbox.Where(e => e.Kind == OutboxKind.Message)
                  .Select(e => new OutgoingMessage(e.Route, Encoding.UTF8.GetBytes(e.Body!), e.MessageId, IncidentId: incidentId)),
            cancellationToken);

        if (outbox.Where(e => e.Kind == OutboxKind.ScheduledMessage).Select(e => new ScheduledSend(e.MessageId!, e.Route, e.Body!, e.DueAt!.Value)).ToList() is { Count: > 0 } later)
            await grains.GetGrain<IIncidentTimersGrain>(incidentId).Schedule(later);
        if (outbox.Where(e => e.Kind == OutboxKind.UnscheduledMessage).Select(e => e.MessageId!).ToList() is { Count: > 0 } unwanted)
            await grains.GetGrain<IIncidentTimersGrain>(incidentId).Unschedule(unwanted);

        // Data first: a simulation of the same run may take it as an input.
        foreach (var entry in outbox.Where(e => e.Kind == OutboxKind.RegisterData))
            await grains.GetGrain<Simulations.Data.IIncidentDataGrain>(incidentId).Register(entry.Data!);

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
                case OutboxKind.SubmitSimulation when entry.Ensemble is { } ensemble:
                    var inArray = await grains.GetGrain<IEnsembleGrain>(entry.SimulationId).Create(incidentId, ensemble);
                    await grains.GetGrain<IMachinePollerGrain>(ensemble.Simulation.Machine).TrackMembers(entry.SimulationId, incidentId, ensemble, inArray);
                    break;
                case OutboxKind.SubmitSimulation when entry.Candidates is { } candidates:
                    await grains.GetGrain<ISimulationRaceGrain>(entry.SimulationId).Create(incidentId, candidates);
                    break;
                case OutboxKind.SubmitSimulation:
                    await grains.GetGrain<IMachinePollerGrain>(entry.Simulation!.Machine).Track(entry.SimulationId, incidentId, entry.Simulation);
                    break;
            }
        }
    }
}
