using System.Diagnostics;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Telemetry;
using OrleansWorkflow.Wire;
using RabbitMQ.Client.Exceptions;

namespace OrleansWorkflow.Adapter;

/// <summary>
/// How a delivery ended: its outcome, and the reason to dead-letter it (with its incident when known, and whether
/// that incident is marked Error: when the message failed, rather than being refused).
/// </summary>
internal sealed record Verdict(string Outcome, string? DeadLetterReason = null, Guid? IncidentId = null, string? MessageId = null, int Retries = 0, bool MarksIncidentError = false)
{
    public const string Handled = "handled";
    public const string Duplicate = "duplicate";
    public const string DeadLettered = "dead-lettered";
    public const string HeldBack = "held";
}

/// <summary>
/// The rules a message of a node's queue goes through, whatever brought it (the broker's consumer, or a test host's
/// queues in memory): its size and wire contract are checked; it is delivered to its incident's handler; a handler
/// that fails is tried again after a pause, up to Workflow:RetryLimit times, and then dead-lettered, marking its
/// incident Error; a message the handler refuses is dead-lettered with the reason.
/// </summary>
internal sealed class MessageDelivery(string queue, WorkflowOptions limits)
{
    /// <summary>The verdict on a body that cannot be a workflow message (too large, or not the wire contract); null when <paramref name="parsed"/> is one.</summary>
    public Verdict? Refusal(ReadOnlySpan<byte> body, out WireMessage? parsed)
    {
        parsed = null;
        if (body.Length > limits.MaxBodyBytes)
            return new Verdict(Verdict.DeadLettered, $"body is {body.Length} bytes, over the limit of {limits.MaxBodyBytes} bytes (Workflow:MaxBodyBytes)");
        return WireMessage.TryParse(body, out parsed, out var reason) ? null : new Verdict(Verdict.DeadLettered, reason);
    }

    /// <summary>
    /// Delivers the message (<paramref name="deliver"/>) until the handler's answer settles it. A handler that runs
    /// elsewhere is left to <paramref name="elsewhere"/>: null to deliver again, or its verdict. A machine the handler
    /// waits for is an outage: <see cref="ServiceUnavailableException"/>, and the transport keeps the message.
    /// </summary>
    public async Task<Verdict> SettleAsync(Guid incidentId, string messageId, Func<Task<DeliveryResult>> deliver,
        Func<DeliveryResult, Task<Verdict?>> elsewhere, Activity? receiving, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; )
        {
            var result = await deliver();
            switch (result.Outcome)
            {
                case DeliveryOutcome.Handled:
                    return new Verdict(Verdict.Handled, IncidentId: incidentId, MessageId: messageId, Retries: attempt);
                case DeliveryOutcome.Duplicate:
                    return new Verdict(Verdict.Duplicate, IncidentId: incidentId, MessageId: messageId, Retries: attempt);
                case DeliveryOutcome.Rejected:
                    return new Verdict(Verdict.DeadLettered, result.Detail, incidentId, messageId, attempt);
                case DeliveryOutcome.Held:
                    throw new ServiceUnavailableException(result.Detail!);
                case DeliveryOutcome.Elsewhere:
                    if (await elsewhere(result) is { } settled)
                        return settled with { Retries = attempt };
                    continue;
            }

            if (attempt >= limits.RetryLimit)
            {
                var failure = $"handler failed {attempt + 1} times; last error: {result.Detail}";
                receiving?.SetStatus(ActivityStatusCode.Error, failure);
                return new Verdict(Verdict.DeadLettered, failure, incidentId, messageId, attempt, MarksIncidentError: true);
            }

            WorkflowMetrics.Retries.Add(1, WorkflowMetrics.Queue(queue));
            await Task.Delay(limits.BackoffBefore(++attempt), cancellationToken);
        }
    }
}
