using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// The incident's two records and their order: its state row (Orleans storage) and its catalog row (owf_incident).
/// Changes made together share one write (<see cref="WriteChain"/>). An end goes to the catalog first, where the
/// handlers' appends check it in their own transaction, then to the state row; any other change goes to the state row
/// first and the catalog after (a catalog that lags is caught up at the next write or activation). Changes that may
/// wait (reports for the live views) are written together a moment later (<see cref="WriteSoon"/>).
/// </summary>
internal sealed class IncidentRecords(IGrainBase grain, Guid incidentId, IPersistentState<IncidentState> state, IIncidentCatalog catalog, ILogger logger)
{
    private static readonly TimeSpan WriteDelay = TimeSpan.FromMilliseconds(500);
    private WriteChain? _writes;
    private IGrainTimer? _pendingWrite;
    private IncidentStatus _catalogued;
    /// <summary>A write's answer was lost (it may have succeeded): the grain must start again from what is stored.</summary>
    private bool _stale;

    private IncidentState Incident => state.State;

    /// <summary>Stores every change made so far; returns once they are stored. After a write whose answer was lost, the grain leaves.</summary>
    public async Task WriteAsync()
    {
        _pendingWrite?.Dispose();
        _pendingWrite = null;
        try
        {
            await (_writes ??= new WriteChain(WriteStateAndCatalogAsync)).WriteAsync();
        }
        catch (InconsistentStateException)
        {
            // It may have succeeded: start again from what is stored.
            _stale = true;
            grain.DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>Stores the changes made so far within half a second, together with those that follow.</summary>
    public void WriteSoon() =>
        _pendingWrite ??= grain.RegisterGrainTimer(WriteAsync,
            new GrainTimerCreationOptions { DueTime = WriteDelay, Period = Timeout.InfiniteTimeSpan, Interleave = true });

    /// <summary>Stores changes still waiting (the grain is leaving).</summary>
    public Task FlushAsync() => _pendingWrite is not null && !_stale ? WriteAsync() : Task.CompletedTask;

    private async Task WriteStateAndCatalogAsync()
    {
        // An end goes to the catalog first: from its commit on, no handler's step commits for the incident.
        if (Incident.Status.IsFinished() && _catalogued != Incident.Status)
        {
            await catalog.WriteAsync(Incident.Info(incidentId));
            _catalogued = Incident.Status;
        }
        await state.WriteStateAsync();
        if (Incident.Status != _catalogued)
            await CatalogAsync();
    }

    /// <summary>Records the incident's status in the catalog; a failure is logged.</summary>
    private async Task CatalogAsync()
    {
        var recorded = Incident.Status;
        try
        {
            // A new incident's row shares the group commit's transactions; a change of an existing row does not (see CreateAsync).
            if (_catalogued == IncidentStatus.None && recorded == IncidentStatus.Pending)
                await catalog.CreateAsync(Incident.Info(incidentId));
            else
                await catalog.WriteAsync(Incident.Info(incidentId));
            _catalogued = recorded;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            LogCatalogBehind(recorded, e);
        }
    }

    /// <summary>
    /// At activation: records the incident in the catalog (a write lost by a crash), and takes into the state an end the
    /// catalog holds and the state row does not (a crash between the two writes of the end). A failure is logged.
    /// </summary>
    public async Task RepairAtActivationAsync()
    {
        var recorded = Incident.Status;
        try
        {
            var stored = await catalog.RecordAsync(Incident.Info(incidentId));
            _catalogued = stored.Status;
            if (stored.Status.IsFinished() && !Incident.Status.IsFinished())
            {
                logger.LogWarning("Incident {incidentId}: its end ({Status}) was stored in the catalog but not in its state; the state takes it", incidentId, stored.Status);
                (Incident.Status, Incident.Reason, Incident.UpdatedAt) = (stored.Status, stored.Reason, stored.UpdatedAt);
                await state.WriteStateAsync();
            }
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            LogCatalogBehind(recorded, e);
        }
    }

    private void LogCatalogBehind(IncidentStatus status, Exception error) =>
        logger.LogWarning("Incident {incidentId} is {Status}, but the incident catalog could not be updated: {Error}", incidentId, status, error.Message);
}
