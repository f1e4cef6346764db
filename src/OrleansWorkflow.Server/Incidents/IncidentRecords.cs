using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace OrleansWorkflow.Incidents;

/// <summary>
/// The incident's two records and their order: its state row (Orleans storage) and its catalog row (owf_incident).
/// Changes made together share one write (<see cref="WriteChain"/>). An end goes to the catalog first, where the
/// handlers' appends check it in their own transaction, then to the state row; any other change goes to the state row
/// first and the catalog after (a catalog that lags is caught up at the next write or activation).
/// </summary>
internal sealed class IncidentRecords(Guid incidentId, IPersistentState<IncidentState> state, IncidentCatalog catalog, Func<IncidentInfo> info, ILogger logger)
{
    private WriteChain? _writes;
    private IncidentStatus _catalogued;

    private IncidentState Incident => state.State;

    /// <summary>A write's answer was lost (it may have succeeded): the grain must start again from what is stored.</summary>
    public bool Stale { get; private set; }

    /// <summary>Stores every change made so far; returns once they are stored.</summary>
    public Task WriteAsync() => (_writes ??= new WriteChain(WriteStateAndCatalogAsync)).WriteAsync();

    private async Task WriteStateAndCatalogAsync()
    {
        // An end goes to the catalog first: from its commit on, no handler's step commits for the incident.
        if (Incident.Status.IsFinished() && _catalogued != Incident.Status)
        {
            await catalog.WriteAsync(info());
            _catalogued = Incident.Status;
        }
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            Stale = true;
            throw;
        }
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
                await catalog.CreateAsync(info());
            else
                await catalog.WriteAsync(info());
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
            var stored = await catalog.RecordAsync(info());
            _catalogued = stored.Status;
            if (stored.Status.IsFinished() && !Incident.Status.IsFinished())
            {
                logger.LogWarning("Incident {IncidentId}: its end ({Status}) was stored in the catalog but not in its state; the state takes it", incidentId, stored.Status);
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
        logger.LogWarning("Incident {IncidentId} is {Status}, but the incident catalog could not be updated: {Error}", incidentId, status, error.Message);
}
