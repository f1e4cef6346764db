using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Simulations.Data;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Simulations;

[GenerateSerializer]
internal sealed class EnsembleState
{
    [Id(0)] public Guid IncidentId { get; set; }
    [Id(1)] public EnsembleRequest? Request { get; set; }
    /// <summary>Its members run as one scheduler array (decided once, at creation).</summary>
    [Id(2)] public bool InArray { get; set; }
    /// <summary>The scheduler array's job id, once submitted.</summary>
    [Id(3)] public string? ArrayJobId { get; set; }
    /// <summary>What each member last reported, by index.</summary>
    [Id(4)] public Dictionary<int, SimulationInfo> Members { get; set; } = [];
    /// <summary>The ensemble as the workflow sees it.</summary>
    [Id(5)] public SimulationInfo Info { get; set; } = new();
    /// <summary>Its join was met: the end is decided and stored in <see cref="Info"/>.</summary>
    [Id(6)] public bool Ended { get; set; }
    /// <summary>The decided end was told (or deliberately not, for a finished incident) and unneeded members asked to cancel.</summary>
    [Id(7)] public bool Told { get; set; }
    /// <summary>Each member as it stood when the end was decided: what the end message lists.</summary>
    [Id(8)] public List<SimulationInfo>? DecidedMembers { get; set; }
}

/// <summary>
/// Keeps an ensemble: submits its scheduler array once, collects its members' transitions, and tells the ensemble's
/// end once its join is met, then cancels the members no longer needed. The end is decided and stored before it is
/// published under a fixed MessageID, so after a crash it is told once, with the same members.
/// </summary>
internal sealed class EnsembleGrain(
    [PersistentState(WorkflowStorage.EnsembleState, WorkflowStorage.Name)] IPersistentState<EnsembleState> state,
    HpcMachines machines,
    IMessagePublisher publisher,
    [FromKeyedServices(WorkflowClock.Key)] TimeProvider clock,
    ILogger<EnsembleGrain> logger) : Grain, IEnsembleGrain, IRemindable
{
    /// <summary>The reminder that wakes an ensemble at its <see cref="EnsembleRequest.Within"/>.</summary>
    public const string WithinReminder = "within";
    private Guid EnsembleId => this.GetPrimaryKey();
    private EnsembleState Ensemble => state.State;
    private EnsembleRequest Request => Ensemble.Request ?? throw new InvalidOperationException($"Ensemble {EnsembleId} was never created.");

    public async Task<bool> Create(Guid incidentId, EnsembleRequest request)
    {
        if (Ensemble.Request is null)
        {
            var machine = machines.Get(request.Simulation.Machine);
            Ensemble.IncidentId = incidentId;
            Ensemble.Request = request;
            Ensemble.InArray = request.Members.Count > 1 && machine.SubmitsArrays;
            Ensemble.Info = new SimulationInfo
            {
                SimulationId = EnsembleId, IncidentId = incidentId, Machine = machine.Name, Status = SimulationStatus.Requested,
                WorkingDirectory = machine.WorkingDirectoryOf(incidentId, EnsembleId), NotifyQueue = request.Simulation.NotifyQueue, CreatedAt = clock.GetUtcNow(),
                Detail = Progress(),
            };
            await SaveAsync();
            if (request.Within is { } within)
                await this.RegisterOrUpdateReminder(WithinReminder, within, within < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : within);
            logger.LogInformation("Ensemble {SimulationId} of incident {IncidentId}: {Members} members on {Machine} {How}, {Needed} needed",
                EnsembleId, incidentId, request.Members.Count, machine.Name, Ensemble.InArray ? "as one scheduler array" : "as a job each", request.NeededMembers);
        }
        return Ensemble.InArray;
    }

    public async Task<string> EnsureArraySubmitted()
    {
        if (Ensemble.ArrayJobId is { } submitted)
            return submitted;
        if (!Ensemble.InArray)
            throw new InvalidOperationException($"Ensemble {EnsembleId} runs a job per member, not an array.");
        var machine = machines.Get(Request.Simulation.Machine);
        var members = Enumerable.Range(0, Request.Members.Count)
            .Select(i => (machine.WorkingDirectoryOf(Ensemble.IncidentId, EnsembleRequest.MemberId(EnsembleId, i)), Request.MemberRequest(i)))
            .ToList();
        var inputs = await DataInputs.ResolveAsync(GrainFactory, Ensemble.IncidentId, Request.Simulation);
        if (inputs is DataInputs.Refused refused)
        {
            // Never to be had: the members end without running, and their ends end the ensemble.
            for (var i = 0; i < Request.Members.Count; i++)
                _ = GrainFactory.GetGrain<ISimulationGrain>(EnsembleRequest.MemberId(EnsembleId, i)).Cancel($"ensemble {EnsembleId} cannot run: {refused.Why}");
            throw new InvalidOperationException($"ensemble {EnsembleId} cannot run: {refused.Why}");
        }
        if (inputs is not DataInputs.Ready { Links: var links })
            throw new InvalidOperationException(((DataInputs.Waiting)inputs).Why);
        var (jobId, adopted) = await machine.SubmitArrayAsync(EnsembleId, Ensemble.Info.WorkingDirectory, members, links, CancellationToken.None);
        Ensemble.ArrayJobId = jobId;
        Ensemble.Info = Ensemble.Info with { JobId = jobId, SubmittedAt = clock.GetUtcNow() };
        await SaveAsync();
        logger.LogInformation("Ensemble {SimulationId}: {Verb} array job {JobId} of {Members} members on machine {Machine}",
            EnsembleId, adopted ? "adopted the already submitted" : "submitted", jobId, Request.Members.Count, machine.Name);
        return jobId;
    }

    public Task<string?> GetArrayJobId() => Task.FromResult(Ensemble.ArrayJobId);

    public Task<SimulationInfo?> GetInfo() => Task.FromResult(Ensemble.Request is null ? null : Ensemble.Info);

    public async Task MemberChanged(int member, SimulationInfo info)
    {
        if (Ensemble.Request is null)
            return;
        if (Ensemble.Members.GetValueOrDefault(member) != info)
        {
            Ensemble.Members[member] = info;
            if (Ensemble.Ended)
            {
                await state.WriteStateAsync();
                // A member that missed its cancel (a crash after the end was told) is asked again.
                if (Ensemble.Told && Request.CancelUnneeded && !info.Status.IsFinished())
                    _ = GrainFactory.GetGrain<ISimulationGrain>(info.SimulationId).Cancel(CancelReason());
            }
            else if (EnsembleJoin.Verdict(Request.Members.Count, Request.NeededMembers, Ensemble.Members.Values) is { } verdict)
                await DecideAsync(verdict.Status, verdict.Detail);
            else
                await ReportProgressAsync();
        }
        // Also on a member's repeated report: an end decided before a crash is told now.
        if (Ensemble.Ended && !Ensemble.Told)
            await TellAsync();
    }

    private async Task ReportProgressAsync()
    {
        var status = Ensemble.Members.Values.Any(m => m.Status == SimulationStatus.Running) ? SimulationStatus.Running
            : Ensemble.Members.Values.Any(m => m.Status != SimulationStatus.Requested) ? SimulationStatus.Queued : SimulationStatus.Requested;
        Ensemble.Info = Ensemble.Info with { Status = status, Detail = Progress() };
        await SaveAsync();
    }

    /// <summary>The reminder wakes the ensemble at its Within; workflow time decides whether it passed (a test host moves that time itself).</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (Ensemble.Request is not { Within: { } within })
            return;
        if (!Ensemble.Ended && clock.GetUtcNow() < Ensemble.Info.CreatedAt + within)
            return;
        if (await this.GetReminder(WithinReminder) is { } reminder)
            await this.UnregisterReminder(reminder);
        if (!Ensemble.Ended)
        {
            var (ended, detail) = EnsembleJoin.TimedOut(Request.Members.Count, Request.NeededMembers, within, Ensemble.Members.Values);
            await DecideAsync(ended, detail);
        }
        if (!Ensemble.Told)
            await TellAsync();
    }

    /// <summary>Decides the ensemble's end: stored before it is told, so a crash between tells the same end.</summary>
    private async Task DecideAsync(SimulationStatus status, string detail)
    {
        Ensemble.Ended = true;
        Ensemble.Info = Ensemble.Info with { Status = status, Detail = detail, EndedAt = clock.GetUtcNow() };
        Ensemble.DecidedMembers = [.. Enumerable.Range(0, Request.Members.Count).Select(MemberAsReported)];
        await SaveAsync();
    }

    /// <summary>Tells the decided end (under a fixed MessageID), then cancels the members still queued or running when the request says so.</summary>
    private async Task TellAsync()
    {
        var (status, detail) = (Ensemble.Info.Status, Ensemble.Info.Detail);
        var incident = await GrainFactory.GetGrain<IIncidentGrain>(Ensemble.IncidentId).GetInfo();
        if (incident is null || incident.Status.IsFinished())
        {
            logger.LogInformation("Ensemble {SimulationId} ended {Status} ({Detail}); its incident is {IncidentStatus}, so no message goes to {Queue}",
                EnsembleId, status, detail, incident?.Status ?? IncidentStatus.None, Ensemble.Info.NotifyQueue);
        }
        else
        {
            var messageId = MessageIds.Derive(EnsembleId.ToString(), "ensemble-end", 0);
            var end = SimulationEnd.Of(Ensemble.Info) with { Members = DecidedMemberEnds() };
            await publisher.TellAsync(Ensemble.IncidentId, incident.Urgency, Ensemble.Info.NotifyQueue, Ensemble.Info.Machine, messageId, end.ToMessage());
            logger.LogInformation("Ensemble {SimulationId} ended {Status} ({Detail}); told queue {Queue}", EnsembleId, status, detail, Ensemble.Info.NotifyQueue);
        }
        Ensemble.Told = true;
        await state.WriteStateAsync();
        if (!Request.CancelUnneeded)
            return;
        for (var i = 0; i < Request.Members.Count; i++)
            if (!(Ensemble.Members.GetValueOrDefault(i)?.Status.IsFinished() ?? false))
                _ = GrainFactory.GetGrain<ISimulationGrain>(EnsembleRequest.MemberId(EnsembleId, i)).Cancel(CancelReason());
    }

    private string CancelReason() => $"ensemble {EnsembleId} ended {Ensemble.Info.Status} ({Ensemble.Info.Detail}) without needing it";

    /// <summary>Member <paramref name="index"/> as it last reported, or as recorded before it reported anything.</summary>
    private SimulationInfo MemberAsReported(int index)
    {
        var memberId = EnsembleRequest.MemberId(EnsembleId, index);
        return Ensemble.Members.GetValueOrDefault(index) ?? new SimulationInfo
        {
            SimulationId = memberId, IncidentId = Ensemble.IncidentId, Machine = Ensemble.Info.Machine, Status = SimulationStatus.Requested,
            WorkingDirectory = machines.Get(Ensemble.Info.Machine).WorkingDirectoryOf(Ensemble.IncidentId, memberId),
        };
    }

    /// <summary>The members as the end message lists them.</summary>
    private List<SimulationEnd> DecidedMemberEnds() =>
        [.. (Ensemble.DecidedMembers ?? []).Select((info, index) => SimulationEnd.Of(info) with { EnsembleId = EnsembleId, Member = index })];

    public Task<string?> GetToldMembers() =>
        Task.FromResult(Ensemble.Ended ? (SimulationEnd.Of(Ensemble.Info) with { Members = DecidedMemberEnds() }).ToMessage()["members"]?.ToJsonString() : null);

    private string Progress()
    {
        var completed = Ensemble.Members.Values.Count(m => m.Status == SimulationStatus.Completed);
        return $"ensemble of {Request.Members.Count} ({Request.NeededMembers} needed): {completed} completed";
    }

    private async Task SaveAsync()
    {
        await state.WriteStateAsync();
        _ = GrainFactory.GetGrain<IIncidentBookkeeping>(Ensemble.IncidentId).SimulationChanged(Ensemble.Info);
    }
}
