using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Web.Api;

namespace OrleansWorkflow.Web.Live;

/// <summary>
/// GET /api/incidents/{id}/events: server-sent events of one incident, fed by its Orleans stream. The first event,
/// "ready", comes once the subscription stands (read the incident then); each change follows as an event named by its
/// kind. A comment every 15 s keeps proxies from closing the connection and renews the incident's watch.
/// </summary>
internal static class IncidentEventStream
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan WatchFor = TimeSpan.FromMinutes(1);

    public static IEndpointRouteBuilder MapIncidentEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/incidents/{id}/events", (string id, HttpContext http, IClusterClient cluster, WorkflowClient workflow, IOptions<JsonOptions> json) =>
            IncidentApi.WithIncident(id, workflow, async (incident, _) =>
            {
                await StreamAsync(incident, http, cluster, workflow, json.Value.SerializerOptions);
                return Results.Empty;
            }));
        return app;
    }

    private static async Task StreamAsync(Guid incident, HttpContext http, IClusterClient cluster, WorkflowClient workflow, JsonSerializerOptions json)
    {
        var aborted = http.RequestAborted;
        var changes = Channel.CreateUnbounded<IncidentEvent>();
        var stream = cluster.GetStreamProvider(IncidentEvents.StreamProvider).GetStream<IncidentEvent>(IncidentEvents.StreamNamespace, incident);
        var subscription = await stream.SubscribeAsync((change, _) =>
        {
            changes.Writer.TryWrite(change);
            return Task.CompletedTask;
        });
        try
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await workflow.Incident(incident).Watch(WatchFor);
            await WriteAsync(http, "ready", $"{{\"incidentId\":\"{incident}\"}}", aborted);

            while (!aborted.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                tick.CancelAfter(Heartbeat);
                try
                {
                    await changes.Reader.WaitToReadAsync(tick.Token);
                    while (changes.Reader.TryRead(out var change))
                        await WriteAsync(http, change.Kind.ToString(), JsonSerializer.Serialize(change, json), aborted);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": still watching\n\n", aborted);
                    await http.Response.Body.FlushAsync(aborted);
                    await workflow.Incident(incident).Watch(WatchFor);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // the page went away
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    private static async Task WriteAsync(HttpContext http, string kind, string data, CancellationToken cancellationToken)
    {
        await http.Response.WriteAsync($"event: {kind}\ndata: {data}\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }
}
