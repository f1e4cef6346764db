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
using OrleansWorkflow.Web.Security;

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
    private const int Backlog = 256;

    public static IEndpointRouteBuilder MapIncidentEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/incidents/{id}/events", (string id, HttpContext http, IClusterClient cluster, WorkflowClient workflow, IOptions<JsonOptions> json, EventStreamLimits limits, IOptions<WebOptions> web) =>
            IncidentApi.WithIncident(id, workflow, async (incident, _) =>
            {
                var (principal, _) = http.User.Who();
                if (!limits.TryOpen(principal))
                    return Results.Json(new { error = $"\"{principal}\" has {web.Value.MaxEventStreamsPerPrincipal} event streams open already (Web:MaxEventStreamsPerPrincipal); close some pages" },
                        statusCode: StatusCodes.Status429TooManyRequests);
                try
                {
                    await StreamAsync(incident, http, cluster, workflow, json.Value.SerializerOptions);
                }
                finally
                {
                    limits.Close(principal);
                }
                return Results.Empty;
            }));
        return app;
    }

    private static async Task StreamAsync(Guid incident, HttpContext http, IClusterClient cluster, WorkflowClient workflow, JsonSerializerOptions json)
    {
        var aborted = http.RequestAborted;
        // A reader too slow for its incident loses the stream, not the silo's memory: the page reconnects and reads afresh.
        var changes = Channel.CreateBounded<IncidentEvent>(new BoundedChannelOptions(Backlog) { FullMode = BoundedChannelFullMode.DropWrite });
        var overflowed = false;
        var stream = cluster.GetStreamProvider(IncidentEvents.StreamProvider).GetStream<IncidentEvent>(IncidentEvents.StreamNamespace, incident);
        var subscription = await stream.SubscribeAsync((change, _) =>
        {
            if (!changes.Writer.TryWrite(change))
            {
                overflowed = true;
                changes.Writer.TryComplete();
            }
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
                    var more = await changes.Reader.WaitToReadAsync(tick.Token);
                    while (changes.Reader.TryRead(out var change))
                        await WriteAsync(http, change.Kind.ToString(), JsonSerializer.Serialize(change, json), aborted);
                    if (!more && overflowed)
                        return; // more changes than this reader took in time: it reconnects and reads the incident afresh
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
