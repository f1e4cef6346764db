using System.CommandLine;

namespace OrleansWorkflow.Cli.Commands;

/// <summary>purge: what the silos do by themselves after Workflow:Retention, now.</summary>
internal static class PurgeCommand
{
    public static Command Create()
    {
        var olderThan = new Option<TimeSpan>("--older-than")
        {
            Description = "Purge incidents finished longer ago than this (like 7.00:00:00; 0 for every finished incident)",
            Required = true,
        };
        var command = new Command("purge", "Delete the working data of finished incidents (handler data, simulation records); their records and graphs stay") { olderThan };
        command.Connected(async (parse, workflow, _) =>
        {
            var age = parse.GetValue(olderThan);
            if (age < TimeSpan.Zero)
            {
                Console.Error.WriteLine($"owf: --older-than is {age}; give 0 (every finished incident) or a positive time like 7.00:00:00.");
                return ExitCodes.BadInput;
            }
            var purged = await workflow.PurgeFinished(age, new PrintedProgress());
            Console.WriteLine($"Purged the working data of {purged} incident{(purged == 1 ? "" : "s")} finished more than {age} ago; their records and graphs are kept.");
            return ExitCodes.Done;
        });
        return command;
    }

    /// <summary>Prints the running total as it comes (Progress&lt;T&gt; would print later, on the thread pool).</summary>
    private sealed class PrintedProgress : IProgress<int>
    {
        public void Report(int total) => Console.Error.WriteLine($"owf: {total} purged so far");
    }
}
