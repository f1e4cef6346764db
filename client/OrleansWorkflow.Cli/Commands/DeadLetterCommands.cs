using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansWorkflow.Client;
using OrleansWorkflow.Messaging;

namespace OrleansWorkflow.Cli.Commands;

/// <summary>dead-letters list|replay|discard: the messages a queue could not handle, and what to do with them.</summary>
internal static class DeadLetterCommands
{
    public static Command All()
    {
        var group = new Command("dead-letters", "Inspect, replay or discard the dead letters of a workflow queue");
        group.Subcommands.Add(List());
        group.Subcommands.Add(Act("replay", "Send a dead letter back to its queue to be handled again", (box, queue, id, token) => box.ReplayAsync(queue, id, token), "replayed to its queue"));
        group.Subcommands.Add(Act("discard", "Throw a dead letter away", (box, queue, id, token) => box.DiscardAsync(queue, id, token), "discarded"));
        return group;
    }

    private static Argument<string> Queue() => new("queue") { Description = "The workflow queue (its letters are in <queue>.dead-letter)" };

    private static DeadLetterQueue Box() => new(WorkflowClientOptions.FromEnvironment().RabbitMq, NullLogger.Instance);

    private static Command List()
    {
        var queue = Queue();
        var command = new Command("list", "The dead letters of a queue, with their reasons (they stay in the queue)") { queue, Cli.JsonOutput };
        command.Guarded(async (parse, cancellationToken) =>
        {
            var letters = await Box().ListAsync(parse.GetValue(queue)!, cancellationToken);
            Cli.PrintList(parse, letters, $"No dead letters in {parse.GetValue(queue)}.", letter => $"{letter.MessageId ?? "(no MessageID)"}  {letter.Reason}\n    {letter.Body}");
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command Act(string name, string description, Func<DeadLetterQueue, string, string, CancellationToken, Task<bool>> act, string done)
    {
        var queue = Queue();
        var messageId = new Argument<string>("MessageID") { Description = "The dead letter's MessageID (see list)" };
        var command = new Command(name, description) { queue, messageId };
        command.Guarded(async (parse, cancellationToken) =>
        {
            if (!await act(Box(), parse.GetValue(queue)!, parse.GetValue(messageId)!, cancellationToken))
            {
                Console.Error.WriteLine($"owf dead-letters {name}: no dead letter {parse.GetValue(messageId)} in {parse.GetValue(queue)}; see owf dead-letters list {parse.GetValue(queue)}.");
                return ExitCodes.BadInput;
            }
            Console.WriteLine($"Dead letter {parse.GetValue(messageId)} {done}.");
            return ExitCodes.Done;
        });
        return command;
    }

}
