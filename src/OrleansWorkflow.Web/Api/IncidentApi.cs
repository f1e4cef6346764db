using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansWorkflow.Client;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Web.Security;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Web.Api;

/// <summary>
/// The HTTP JSON API: drive incidents from any language without Orleans. Every refusal is a 4xx with
/// {"error": "..."} saying what was wrong and what to do.
/// </summary>
internal static class IncidentApi
{
    public static IEndpointRouteBuilder MapIncidentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/incidents", Create).Body<NewIncidentBody>().Mutation();
        api.MapPost("/incidents/batch", CreateMany).Body<NewIncidentsBody>().Mutation();
        api.MapGet("/incidents", List);
        api.MapGet("/incidents/{id}", Get);
        api.MapGet("/incidents/{id}/graph", Graph);
        api.MapGet("/incidents/{id}/data", Data);
        api.MapPut("/incidents/{id}/data/{name}", DataUpload.UploadAsync).Accepts<Stream>("application/octet-stream").Mutation();
        api.MapPost("/incidents/{id}/messages/{queue}", Send).Body<JsonObject>().Mutation();
        api.MapPost("/incidents/{id}/complete", Complete).Mutation();
        api.MapPost("/incidents/{id}/cancel", Cancel).Body<CancelBody>().Mutation();
        api.MapGet("/silos", async (WorkflowClient workflow) => Results.Json(await workflow.GetSilos()));
        return app;
    }

    private static Task<IResult> Create(HttpRequest request, WorkflowClient workflow) => ApiProblem.Guard(async () =>
    {
        if (await JsonBody.ReadObjectAsync(request) is not { } body)
            return ApiProblem.BadRequest("the body must be a JSON object like {\"name\": \"Fire at Corte\", \"kind\": \"FIRE\"}");
        var (incident, error) = Requested(body);
        if (error is not null)
            return ApiProblem.BadRequest(error);
        var id = await workflow.CreateIncident(incident!.Name, incident.Kind, incident.IncidentDate, incident.Terms);
        return Results.Created($"/api/incidents/{id}", IncidentViews.Summary(await workflow.GetIncident(id), [], DateTimeOffset.UtcNow));
    });

    private static Task<IResult> CreateMany(HttpRequest request, WorkflowClient workflow) => ApiProblem.Guard(async () =>
    {
        const string Shape = "{\"incidents\": [{\"name\": \"Fire at Corte\", \"kind\": \"FIRE\"}, ...]}";
        if (await JsonBody.ReadObjectAsync(request) is not { } body || body["incidents"] is not JsonArray given)
            return ApiProblem.BadRequest($"the body must be a JSON object like {Shape}");
        if (given.Count is 0 or > MaxBatch)
            return ApiProblem.BadRequest($"\"incidents\" holds 1 to {MaxBatch} incidents ({given.Count} given); send more in several requests");
        var incidents = new List<IncidentRequest>(given.Count);
        for (var i = 0; i < given.Count; i++)
        {
            if (given[i] is not JsonObject item)
                return ApiProblem.BadRequest($"incident {i} of \"incidents\" must be a JSON object like {{\"name\": \"Fire at Corte\", \"kind\": \"FIRE\"}}");
            var (incident, error) = Requested(item);
            if (error is not null)
                return ApiProblem.BadRequest($"incident {i} of \"incidents\": {error}");
            incidents.Add(incident!);
        }
        var ids = await workflow.CreateIncidents(incidents, cancellationToken: request.HttpContext.RequestAborted);
        return Results.Json(new JsonObject { ["incidentIds"] = new JsonArray([.. ids.Select(id => (JsonNode)id.ToString())]) }, statusCode: StatusCodes.Status201Created);
    });

    /// <summary>The most incidents one POST /api/incidents/batch creates.</summary>
    internal const int MaxBatch = 10_000;

    /// <summary>An incident to create as a request's JSON object describes it, or what is wrong with it.</summary>
    private static (IncidentRequest? Incident, string? Error) Requested(JsonObject body)
    {
        var name = JsonBody.Text(body, "name");
        var kind = JsonBody.Text(body, "kind");
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(kind))
            return (null, "give the incident a \"name\" and a \"kind\" (strings), like {\"name\": \"Fire at Corte\", \"kind\": \"FIRE\"}");
        if (!TryDate(body, "incidentDate", "2026-07-14T15:30:00Z", out var date, out var error) || !TryDate(body, "deadline", "2026-07-14T16:00:00Z", out var deadline, out error))
            return (null, error);
        var urgency = IncidentUrgency.Routine;
        if (body["urgency"] is { } level && (level.GetValueKind() != JsonValueKind.String || !Enum.TryParse(level.GetValue<string>(), ignoreCase: true, out urgency) || !Enum.IsDefined(urgency)))
            return (null, $"\"urgency\" must be one of {string.Join(", ", Enum.GetNames<IncidentUrgency>())}");
        return (new IncidentRequest(name, kind, date, new IncidentTerms { Deadline = deadline, Urgency = urgency }), null);
    }

    private static bool TryDate(JsonObject body, string key, string example, out DateTimeOffset? date, out string? error)
    {
        (date, error) = (null, null);
        if (body[key] is not { } given)
            return true;
        if (given.GetValueKind() != JsonValueKind.String || !DateTimeOffset.TryParse(given.GetValue<string>(), out var parsed))
        {
            error = $"\"{key}\" must be an ISO 8601 date and time, like \"{example}\"";
            return false;
        }
        date = parsed;
        return true;
    }

    private static Task<IResult> List(string? status, string? kind, int? version, int? limit, WorkflowClient workflow) => ApiProblem.Guard(async () =>
    {
        IncidentStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<IncidentStatus>(status, ignoreCase: true, out var parsed) || parsed == IncidentStatus.None || int.TryParse(status, out _))
                return ApiProblem.BadRequest($"status \"{status}\" is not an incident status; use Pending, Active, Completed, Cancelled or Error");
            wanted = parsed;
        }
        var incidents = await workflow.ListIncidents(new IncidentQuery(wanted, string.IsNullOrEmpty(kind) ? null : kind, limit ?? 100, version));
        var now = DateTimeOffset.UtcNow;
        var summaries = await Task.WhenAll(incidents.Select(async i =>
            IncidentViews.Summary(i, i.Status.IsFinished() ? null : await workflow.GetSteps(i.IncidentId), now)));
        return Results.Json(summaries);
    });

    private static Task<IResult> Get(string id, WorkflowClient workflow, HandlerRegistry handlers) => WithIncident(id, workflow, async (incident, info) =>
    {
        var steps = await workflow.GetSteps(incident);
        var now = DateTimeOffset.UtcNow;
        return Results.Json(new IncidentDetail(
            IncidentViews.Summary(info, steps, now), info.IncidentDate,
            [.. steps.Select(s => IncidentViews.Entry(s, handlers))],
            [.. (await workflow.GetJoins(incident)).Select(j => IncidentViews.Join(j, now))],
            await workflow.GetSimulations(incident),
            await workflow.GetDeadLetters(incident)));
    });

    private static Task<IResult> Data(string id, WorkflowClient workflow) =>
        WithIncident(id, workflow, async (incident, _) => Results.Json(await workflow.GetData(incident)));

    private static Task<IResult> Graph(string id, string? format, WorkflowClient workflow, GraphDrawings drawings, HttpContext http) => WithIncident(id, workflow, async (incident, _) =>
    {
        format = string.IsNullOrEmpty(format) ? "json" : format.ToLowerInvariant();
        if (format is not ("json" or "svg" or "dot"))
            return ApiProblem.BadRequest($"format \"{format}\" is not a graph format; use json, svg or dot");
        if (await drawings.RenderAsync(await workflow.GetGraph(incident), format, http.RequestAborted) is not { } graph)
            return Results.Json(new { error = "too many graphs are being drawn at once (Web:MaxGraphDrawings); try again in a moment" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        return Results.Bytes(graph, format switch { "svg" => "image/svg+xml", "dot" => "text/vnd.graphviz; charset=utf-8", _ => "application/json" });
    });

    private static Task<IResult> Send(string id, string queue, HttpRequest request, WorkflowClient workflow, HandlerRegistry handlers) => WithIncident(id, workflow, async (incident, _) =>
    {
        // A typo in a URL would otherwise leave the message waiting in a queue no handler reads.
        if (!handlers.IsRegistered(queue))
            return ApiProblem.BadRequest($"no handler is registered on queue \"{queue}\"; the queues are: {string.Join(", ", handlers.Queues.Order())}");
        if (await JsonBody.ReadObjectAsync(request) is not { } message)
            return ApiProblem.BadRequest("the body must be the message: a JSON object (its IncidentID is set from the URL)");
        if (message[WireContract.IncidentIdKey] is { } given && given.ToString() != incident.ToString())
            return ApiProblem.BadRequest($"the body's {WireContract.IncidentIdKey} \"{given}\" is not the incident of the URL ({incident}); leave it out");
        message[WireContract.IncidentIdKey] = incident.ToString();
        var messageId = await workflow.SendNow(queue, message);
        return Results.Accepted(value: new { messageId, queue, incidentId = incident });
    });

    private static Task<IResult> Complete(string id, WorkflowClient workflow) => WithIncident(id, workflow, async (incident, _) =>
    {
        await workflow.Complete(incident);
        return Results.Json(IncidentViews.Summary(await workflow.GetIncident(incident), null, DateTimeOffset.UtcNow));
    });

    private static Task<IResult> Cancel(string id, HttpRequest request, WorkflowClient workflow) => WithIncident(id, workflow, async (incident, _) =>
    {
        var body = await JsonBody.ReadObjectAsync(request);
        var reason = JsonBody.Text(body, "reason");
        if (string.IsNullOrWhiteSpace(reason))
            return ApiProblem.BadRequest("say why: the body must be like {\"reason\": \"fire contained\"}");
        await workflow.Cancel(incident, reason);
        return Results.Json(IncidentViews.Summary(await workflow.GetIncident(incident), null, DateTimeOffset.UtcNow));
    });

    /// <summary>Runs <paramref name="endpoint"/> for an existing incident: 400 for an id that is no UUID, 404 for one never created.</summary>
    internal static Task<IResult> WithIncident(string id, WorkflowClient workflow, Func<Guid, IncidentInfo, Task<IResult>> endpoint) => ApiProblem.Guard(async () =>
    {
        if (!Guid.TryParse(id, out var incident))
            return ApiProblem.BadRequest($"\"{id}\" is not an IncidentID (a UUID like 3f2504e0-4f89-11d3-9a0c-0305e82c3301)");
        if (await workflow.Incident(incident).GetInfo() is not { } info)
            return ApiProblem.NotFound($"incident {incident} was never created; create it with POST /api/incidents");
        return await endpoint(incident, info);
    });
}
