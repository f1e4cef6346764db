using System.CommandLine;
using OrleansWorkflow.Cli.Commands;

// owf: the OrleansWorkflow command-line tool. Connects to the cluster named by the OWF_* environment (this machine
// by default: eval "$(scripts/services.sh env)" sets it). `owf --help` lists the commands; exit codes in ExitCodes.

var root = new RootCommand("OrleansWorkflow: create, feed, follow and finish incidents; inspect graphs, simulations and dead letters.");
foreach (var command in IncidentCommands.All().Concat(InspectCommands.All()))
    root.Subcommands.Add(command);
root.Subcommands.Add(WatchCommand.Create());
root.Subcommands.Add(DeadLetterCommands.All());
root.Subcommands.Add(MachineCommands.All());
root.Subcommands.Add(MachineCommands.Schedules());
root.Subcommands.Add(PurgeCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
{
    foreach (var error in parse.Errors)
        Console.Error.WriteLine($"owf: {error.Message}");
    Console.Error.WriteLine("See owf --help, or owf <command> --help.");
    return ExitCodes.BadInput;
}
return await parse.InvokeAsync();
