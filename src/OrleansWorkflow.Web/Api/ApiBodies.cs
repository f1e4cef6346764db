using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Web.Api;

// The bodies of the HTTP API's changes, as its OpenAPI document describes them. The routes read bodies themselves
// (JsonBody), so that a wrong one is refused with what exactly is wrong and an example of a right one.

/// <summary>POST /api/incidents.</summary>
internal sealed record NewIncidentBody(string Name, string Kind, DateTimeOffset? IncidentDate = null, DateTimeOffset? Deadline = null, IncidentUrgency? Urgency = null);

/// <summary>POST /api/incidents/batch: up to 10 000 incidents, each as POST /api/incidents takes it.</summary>
internal sealed record NewIncidentsBody(IReadOnlyList<NewIncidentBody> Incidents);

/// <summary>POST /api/incidents/{id}/cancel.</summary>
internal sealed record CancelBody(string Reason);

/// <summary>POST /api/machines/{machine}/mode.</summary>
internal sealed record MachineModeBody(MachineMode Mode, string Reason);

/// <summary>POST /api/keys; role is viewer, operator or admin.</summary>
internal sealed record NewKeyBody(string Name, string Role);

internal static class ApiBodyExtensions
{
    /// <summary>
    /// Describes the route's JSON body in the OpenAPI document. Routing still takes any content type, so that the
    /// mutation guard answers a wrong one with its own 415 saying what to send (routing's 415 says nothing).
    /// </summary>
    public static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder route) where T : notnull =>
        route.Accepts<T>(WireContract.ContentType, "*/*");
}
