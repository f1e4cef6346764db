using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Web.Security;

namespace OrleansWorkflow.Web.Api;

/// <summary>
/// /api/dead-letters/{queue}: the messages a workflow queue could not handle, with their reasons (viewer), and replay
/// or discard of one by its MessageID (operator): what <c>owf dead-letters</c> does, over HTTP.
/// </summary>
internal static class DeadLetterApi
{
    public static IEndpointRouteBuilder MapDeadLetterApi(this IEndpointRouteBuilder app)
    {
        var letters = app.MapGroup("/api/dead-letters/{queue}");
        letters.MapGet("", List);
        letters.MapPost("/{messageId}/replay", (string queue, string messageId, HandlerRegistry handlers, DeadLetterQueue box, CancellationToken cancellationToken) =>
            Act(queue, messageId, handlers, () => box.ReplayAsync(queue, messageId, cancellationToken), "replayed")).Mutation();
        letters.MapPost("/{messageId}/discard", (string queue, string messageId, HandlerRegistry handlers, DeadLetterQueue box, CancellationToken cancellationToken) =>
            Act(queue, messageId, handlers, () => box.DiscardAsync(queue, messageId, cancellationToken), "discarded")).Mutation();
        return app;
    }

    /// <summary>The queue's dead-letter service, for the API (it opens its own broker connection per call).</summary>
    public static DeadLetterQueue Create(IServiceProvider services) =>
        new(services.Options<RabbitMqOptions>(), services.GetRequiredService<ILoggerFactory>().CreateLogger<DeadLetterQueue>());

    private static Task<IResult> List(string queue, int? limit, HandlerRegistry handlers, DeadLetterQueue box, CancellationToken cancellationToken) => ApiProblem.Guard(async () =>
    {
        if (Unknown(queue, handlers) is { } refused)
            return refused;
        if (limit is < 1)
            return ApiProblem.BadRequest($"limit is {limit}; give a positive number of letters (default 100)");
        var found = await box.ListAsync(queue, cancellationToken);
        return Results.Json(found.Take(limit ?? 100).Select(l => new { messageId = l.MessageId, reason = l.Reason, originalQueue = l.OriginalQueue, body = l.Body }));
    });

    private static Task<IResult> Act(string queue, string messageId, HandlerRegistry handlers, Func<Task<bool>> act, string done) => ApiProblem.Guard(async () =>
    {
        if (Unknown(queue, handlers) is { } refused)
            return refused;
        return await act()
            ? Results.Json(new { messageId, queue, outcome = done })
            : ApiProblem.NotFound($"no dead letter {messageId} in {queue}; GET /api/dead-letters/{queue} lists them");
    });

    private static IResult? Unknown(string queue, HandlerRegistry handlers) => handlers.IsRegistered(queue)
        ? null
        : ApiProblem.BadRequest($"no handler is registered on queue \"{queue}\"; the queues are: {string.Join(", ", handlers.Queues.Order())}");
}
