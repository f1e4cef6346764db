namespace OrleansWorkflow.Time;

/// <summary>A message a handler sent for later (SendAfter, SendAt): published to <see cref="Queue"/> when <see cref="DueAt"/> comes.</summary>
[GenerateSerializer]
internal sealed record ScheduledSend(
    [property: Id(0)] string MessageId,
    [property: Id(1)] string Queue,
    [property: Id(2)] string Body,
    [property: Id(3)] DateTimeOffset DueAt);
