using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using OrleansWorkflow.Messaging.Telemetry;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations.Data;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Simulations;

/// <summary>
/// One HPC job. Every change is written before it is acted on, so after a crash the job is neither submitted
/// twice nor forgotten, and its end is told to the workflow once (the end message has a fixed MessageID).
/// </summary>
internal sealed class SimulationGrain(
    [PersistentState(WorkflowStorage.SimulationState, WorkflowStorage.Name)] IPersistentState<SimulationState> state,
    HpcMachines machines,
    IMessagePublisher publisher,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock,
    ILogger<SimulationGrain> logger) : Grain, ISimulationGrain
{
    private SimulationInfo Info => state.State.Info;
    private Guid SimulationId => this.GetPrimaryKey();

    public Task<SimulationInfo> Create(Guid incidentId, SimulationRequest request, Guid? raceId = null) => CreateAsync(incidentId, request, raceId, null);

    public Task<SimulationInfo> CreateMember(Guid incidentId, SimulationRequest request, EnsembleMembership ensemble) => CreateAsync(incidentId, request, null, ensemble);

    private async Task<SimulationInfo> CreateAsync(Guid incidentId, SimulationRequest request, Guid? raceId, EnsembleMembership? ensemble)
    {
        if (state.State.Request is not null)
            return Info;
        request.Validate();
        var incident = await GrainFactory.GetGrain<IIncidentGrain>(incidentId).GetInfo()
            ?? throw new InvalidOperationException($"Simulation {SimulationId} names incident {incidentId}, which was never created; only an incident's handlers submit simulations.");
        state.State = SimulationState.Requested(SimulationId, incidentId, request, raceId, ensemble,
            machines.Get(request.Machine).WorkingDirectoryOf(incidentId, SimulationId), incident.Urgency, clock.GetUtcNow());
        await SaveAsync();
        logger.LogInformation("Simulation {SimulationId} of incident {IncidentId} recorded for machine {Machine}", SimulationId, incidentId, request.Machine);
        return Info;
    }

    public async Task<SimulationInfo> EnsureSubmitted()
    {
        var request = state.State.Request ?? throw new InvalidOperationException($"Simulation {SimulationId} was never created.");
        if (Info.Status != SimulationStatus.Requested)
        {
            await NotifyIfEndedAsync();
            return Info;
        }

        var incidentInfo = await IncidentAsync();
        if ((incidentInfo?.Status ?? IncidentStatus.None) is var incident && incident.IsFinished())
        {
            await Cancel($"its incident is {incident}; the job was never submitted");
            return Info;
        }
        // A machine its operators drain, disable or try out takes no new job (of this incident): the simulation waits.
        var machineState = await GrainFactory.GetGrain<IMachineRegistryGrain>(0).Get(request.Machine);
        if (!machineState.Takes(incidentInfo?.Kind ?? ""))
        {
            var waiting = $"waiting: machine {request.Machine} is {machineState.Mode} ({machineState.Reason}) and takes no new {(machineState.Mode == MachineMode.Test ? "job but from TEST incidents" : "job")}";
            if (Info.Detail != waiting)
            {
                state.State.Info = Info with { Detail = waiting };
                await SaveAsync();
                logger.LogInformation("Simulation {SimulationId}: {Waiting}", SimulationId, waiting);
            }
            return Info;
        }

        var links = DataInputs.None.Links;
        if (state.State.Ensemble is not { InArray: true })
        {
            switch (await DataInputs.ResolveAsync(GrainFactory, Info.IncidentId, request))
            {
                case DataInputs.Waiting waiting:
                    if (Info.Detail != waiting.Why)
                    {
                        state.State.Info = Info with { Detail = waiting.Why };
                        await SaveAsync();
                    }
                    return Info;
                case DataInputs.Refused refused:
                    state.State.Info = Info with { Status = SimulationStatus.Failed, EndedAt = clock.GetUtcNow(), Detail = $"not submitted: {refused.Why}" };
                    await SaveAsync();
                    logger.LogWarning("Simulation {SimulationId} of incident {IncidentId} FAILED without running: {Why}", SimulationId, Info.IncidentId, refused.Why);
                    await NotifyIfEndedAsync();
                    return Info;
                case DataInputs.Ready ready:
                    links = ready.Links;
                    break;
            }
        }

        string jobId;
        bool adopted;
        using var submission = WorkflowTracing.Start($"submit to {request.Machine}", ActivityKind.Client, Info.IncidentId);
        submission?.SetTag("owf.machine", request.Machine).SetTag("owf.simulation_id", SimulationId.ToString());
        try
        {
            (jobId, adopted) = state.State.Ensemble is { InArray: true } member
                ? (await ArrayTaskAsync(member, submit: true))!.Value
                : await machines.Get(request.Machine).SubmitAsync(SimulationId, Info.WorkingDirectory, request, links, CancellationToken.None);
            submission?.SetTag("owf.job_id", jobId).SetTag("owf.adopted", adopted);
        }
        // A member of an array hears its ensemble's failure to submit through a grain call, as whatever exception Orleans carries.
        catch (Exception e) when (e is MachineUnreachableException or InvalidOperationException || state.State.Ensemble is { InArray: true })
        {
            submission?.SetStatus(ActivityStatusCode.Error, e.Message);
            // Shown to operators with the simulation; the poller retries at its next poll.
            var detail = $"not submitted yet: {e.Message}";
            if (Info.Detail != detail)
            {
                state.State.Info = Info with { Detail = detail };
                await SaveAsync();
            }
            throw;
        }
        state.State.LastAnsweredAt = clock.GetUtcNow();
        state.State.Info = Info with { JobId = jobId, Status = SimulationStatus.Queued, SubmittedAt = clock.GetUtcNow(), Detail = null };
        await SaveAsync();
        await TellTransitionAsync();
        logger.LogInformation("Simulation {SimulationId}: {Verb} job {JobId} on machine {Machine} in {WorkingDirectory}",
            SimulationId, adopted ? "adopted the already submitted" : "submitted", jobId, Info.Machine, Info.WorkingDirectory);
        return Info;
    }

    public async Task<SimulationInfo> Observe(JobObservation observation)
    {
        if (Info.Status.IsFinished())
        {
            await NotifyIfEndedAsync();
            return Info;
        }

        var now = clock.GetUtcNow();
        if (observation.Kind == ObservationKind.Seen)
        {
            state.State.LastAnsweredAt = now;
            var silenceEnded = state.State.FirstUnansweredAt is not null;
            state.State.FirstUnansweredAt = null;
            var changed = observation.Status != Info.Status || observation.Detail != Info.Detail || observation.ExpectedStart != Info.ExpectedStart;
            if (silenceEnded && !changed)
                await state.WriteStateAsync();
            if (changed)
            {
                var ended = observation.Status.IsFinished();
                state.State.Info = Info with
                {
                    Status = observation.Status,
                    ExitCode = ended ? observation.ExitCode : null,
                    Detail = observation.Detail,
                    EndedAt = ended ? now : null,
                    ExpectedStart = observation.ExpectedStart,
                };
                await SaveAsync();
                logger.LogInformation("Simulation {SimulationId} (job {JobId} on {Machine}): {Status} ({Detail})", SimulationId, Info.JobId, Info.Machine, Info.Status, Info.Detail);
                await TellTransitionAsync();
            }
        }
        else if (state.State.FirstUnansweredAt is null)
        {
            state.State.FirstUnansweredAt = now;
            await state.WriteStateAsync();
            logger.LogDebug("Simulation {SimulationId} (job {JobId}): no answer this poll ({Evidence})", SimulationId, Info.JobId, observation.Detail);
        }
        else if (now - state.State.FirstUnansweredAt > machines.Get(Info.Machine).Options.LostAfter)
        {
            state.State.Info = Info with
            {
                Status = SimulationStatus.Lost,
                EndedAt = now,
                Detail = $"no answer for the job since {state.State.FirstUnansweredAt:u} (last answer {state.State.LastAnsweredAt:u}); last: {observation.Detail}",
            };
            await SaveAsync();
            logger.LogError("Simulation {SimulationId} (job {JobId} on {Machine}) is LOST: {Detail}", SimulationId, Info.JobId, Info.Machine, Info.Detail);
        }
        else
        {
            logger.LogDebug("Simulation {SimulationId} (job {JobId}): no answer this poll ({Evidence})", SimulationId, Info.JobId, observation.Detail);
        }

        if (Info.Status.IsFinished())
            await NotifyIfEndedAsync();
        else if (state.State.CancelReason is null && await IncidentStatusAsync() == IncidentStatus.Cancelled)
            await CancelOnSchedulerAsync("its incident was cancelled");
        return Info;
    }

    public async Task Cancel(string reason)
    {
        if (Info.Status.IsFinished() || state.State.Request is null)
            return;
        // A task of an array its ensemble submitted already is cancelled on the scheduler, not just here.
        if (Info.Status == SimulationStatus.Requested && state.State.Ensemble is { InArray: true } member && await ArrayTaskAsync(member, submit: false) is { } task)
        {
            state.State.Info = Info with { JobId = task.JobId, Status = SimulationStatus.Queued, SubmittedAt = clock.GetUtcNow() };
            await SaveAsync();
        }
        if (Info.Status == SimulationStatus.Requested)
        {
            state.State.CancelReason = reason;
            state.State.Info = Info with { Status = SimulationStatus.Cancelled, EndedAt = clock.GetUtcNow(), Detail = $"cancelled before submission: {reason}" };
            await SaveAsync();
            logger.LogInformation("Simulation {SimulationId} cancelled before submission: {Reason}", SimulationId, reason);
            await NotifyIfEndedAsync();
            return;
        }
        await CancelOnSchedulerAsync(reason);
    }

    public async Task<bool> Forget()
    {
        if (state.State.Request is not null && !(Info.Status.IsFinished() && state.State.Notified))
            return false;
        await state.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    public Task<SimulationInfo?> GetInfo() => Task.FromResult(state.State.Request is null ? null : Info);

    /// <summary>This member's task of its ensemble's array: submitting the array first when <paramref name="submit"/>; null when it was not submitted and is not to be.</summary>
    private async Task<(string JobId, bool Adopted)?> ArrayTaskAsync(EnsembleMembership member, bool submit)
    {
        var ensemble = GrainFactory.GetGrain<IEnsembleGrain>(member.EnsembleId);
        var known = await ensemble.GetArrayJobId();
        var arrayJobId = known ?? (submit ? await ensemble.EnsureArraySubmitted() : null);
        return arrayJobId is null ? null : (machines.Get(Info.Machine).ArrayTaskId(arrayJobId, member.Member), known is not null);
    }

    private async Task CancelOnSchedulerAsync(string reason)
    {
        state.State.CancelReason = reason;
        await SaveAsync();
        string failure;
        try
        {
            var result = await machines.Get(Info.Machine).CancelAsync(Info.JobId!, CancellationToken.None);
            if (result.Succeeded)
            {
                logger.LogInformation("Simulation {SimulationId}: machine {Machine} cancels job {JobId} ({Reason}): {Evidence}",
                    SimulationId, Info.Machine, Info.JobId, reason, result.Evidence);
                return;
            }
            failure = $"the scheduler refused: {result.Evidence}";
        }
        catch (MachineUnreachableException e)
        {
            failure = e.Message;
        }
        // Forget the request so the next poll, which checks the incident again, retries it until the scheduler
        // confirms the cancel or the job is seen ended.
        state.State.CancelReason = null;
        await SaveAsync();
        logger.LogWarning("Simulation {SimulationId}: could not cancel job {JobId} yet, retrying at the next poll: {Error}", SimulationId, Info.JobId, failure);
    }

    /// <summary>Tells the notify queue of a Queued or Running transition once, when the request's NotifyOn asks for it.</summary>
    private async Task TellTransitionAsync()
    {
        // A member's end reaches its ensemble from NotifyIfEndedAsync, after the member's own end message.
        if (state.State.Ensemble is { } ensemble && !Info.Status.IsFinished())
            await GrainFactory.GetGrain<IEnsembleGrain>(ensemble.EnsembleId).MemberChanged(ensemble.Member, Info);
        var wanted = Info.Status switch
        {
            SimulationStatus.Queued => SimulationNotices.Queued,
            SimulationStatus.Running => SimulationNotices.Running,
            _ => (SimulationNotices?)null,
        };
        if (wanted is not { } notice || state.State.Told.Contains(Info.Status))
            return;
        // A race's candidate reports every transition to its race, which may make it the winner.
        if (!await SpeaksForWorkflowAsync() || !state.State.Request!.NotifyOn.HasFlag(notice))
            return;
        if (await IncidentAsync() is not { } incident || incident.Status.IsFinished())
            return;
        await PublishAsync(incident.Urgency, $"simulation-{Info.Status.ToWire().ToLowerInvariant()}");
        state.State.Told.Add(Info.Status);
        await state.WriteStateAsync();
        logger.LogInformation("Simulation {SimulationId} (job {JobId}): told queue {Queue} it is {Status}", SimulationId, Info.JobId, Info.NotifyQueue, Info.Status);
    }

    /// <summary>Whether this job tells the workflow of its current status: always, unless it is a race's candidate that did not win.</summary>
    private async Task<bool> SpeaksForWorkflowAsync() => state.State switch
    {
        { RaceId: { } race } => await GrainFactory.GetGrain<ISimulationRaceGrain>(race).Transition(SimulationId, Info),
        { Ensemble: { } ensemble } => ensemble.Tells,
        _ => true,
    };

    /// <summary>Publishes the simulation's message as it stands to its notify queue, under an id fixed for <paramref name="what"/>: a repeat arrives once.</summary>
    private Task PublishAsync(IncidentUrgency urgency, string what)
    {
        // A race's winner speaks under the race's id, the one its handler got.
        var speaker = state.State.RaceId ?? SimulationId;
        var messageId = MessageIds.Derive(speaker.ToString(), what, 0);
        var end = SimulationEnd.Of(Info with { SimulationId = speaker }) with { EnsembleId = state.State.Ensemble?.EnsembleId, Member = state.State.Ensemble?.Member };
        return publisher.TellAsync(Info.IncidentId, urgency, Info.NotifyQueue, Info.Machine, messageId, end.ToMessage());
    }

    private async Task NotifyIfEndedAsync()
    {
        if (!Info.Status.IsFinished() || state.State.Notified)
            return;

        var info = await IncidentAsync();
        var incident = info?.Status ?? IncidentStatus.None;
        if (incident.IsFinished())
        {
            logger.LogInformation("Simulation {SimulationId} ended {Status}; its incident is {IncidentStatus}, so no message goes to {Queue}",
                SimulationId, Info.Status, incident, Info.NotifyQueue);
        }
        else if (!await SpeaksForWorkflowAsync())
        {
            logger.LogInformation("Simulation {SimulationId} (job {JobId} on {Machine}) ended {Status}; {Speaker} speaks for it",
                SimulationId, Info.JobId, Info.Machine, Info.Status, state.State.Ensemble is { } e ? $"its ensemble {e.EnsembleId}" : $"another machine's job of race {state.State.RaceId}");
        }
        else
        {
            await PublishAsync(info?.Urgency ?? IncidentUrgency.Routine, "simulation-end");
            logger.LogInformation("Simulation {SimulationId} (job {JobId} on {Machine}) ended {Status}{Exit}; told queue {Queue}",
                SimulationId, Info.JobId, Info.Machine, Info.Status, Info.ExitCode is { } code ? $" with exit code {code}" : "", Info.NotifyQueue);
        }
        // A member's own end goes first; its ensemble may then tell the ensemble's.
        if (state.State.Ensemble is { } ensemble)
            await GrainFactory.GetGrain<IEnsembleGrain>(ensemble.EnsembleId).MemberChanged(ensemble.Member, Info);
        state.State.Notified = true;
        await state.WriteStateAsync();
    }

    private async Task<IncidentStatus> IncidentStatusAsync() => (await IncidentAsync())?.Status ?? IncidentStatus.None;

    private Task<IncidentInfo?> IncidentAsync() => GrainFactory.GetGrain<IIncidentGrain>(Info.IncidentId).GetInfo();

    private async Task SaveAsync()
    {
        await state.WriteStateAsync();
        _ = GrainFactory.GetGrain<IIncidentBookkeeping>(Info.IncidentId).SimulationChanged(Info);
    }
}
