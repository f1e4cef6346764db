using System.CommandLine;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Cli.Commands;

/// <summary>machines [list] | machines set | machines waiting: the HPC machines and whether they take new jobs, changed while silos run.</summary>
internal static class MachineCommands
{
    public static Command All()
    {
        var group = new Command("machines", "The HPC machines and their modes (Enabled, Draining, Disabled, Test)");
        group.Subcommands.Add(List());
        group.Subcommands.Add(Set());
        group.Subcommands.Add(Waiting());
        return group;
    }

    /// <summary>schedules: the schedules of recurring incidents, with the last due time each fired and the next.</summary>
    public static Command Schedules()
    {
        var command = new Command("schedules", "The schedules of recurring incidents (Workflow:Schedules), with the last due time each fired and the next") { Cli.JsonOutput };
        command.Connected(async (parse, workflow, _) =>
        {
            Cli.PrintList(parse, await workflow.GetSchedules(), "No schedule is configured (Workflow:Schedules).", schedule =>
                $"{schedule.Name,-20} {schedule.Cron,-15} {schedule.TimeZone,-15} {schedule.Kind,-12} last {schedule.LastDue?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") ?? "-"}  next {schedule.NextDue?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") ?? "-"}  missed: {schedule.Missed}");
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command Waiting()
    {
        var machine = new Argument<string>("machine") { Description = "The configured machine (Hpc:Machines:<name>)" };
        var command = new Command("waiting", "The simulations the machine's limits hold back, in the order they will be submitted") { machine, Cli.JsonOutput };
        command.Connected(async (parse, workflow, _) =>
        {
            var waiting = await workflow.GetWaitingSimulations(parse.GetValue(machine)!);
            Cli.PrintList(parse, waiting, $"Nothing waits for machine {parse.GetValue(machine)}.", simulation => $"{simulation.SimulationId}  incident {simulation.IncidentId}  {simulation.Urgency,-9} since {simulation.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}");
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Every configured machine with its mode, and who changed it why") { Cli.JsonOutput };
        command.Connected(async (parse, workflow, _) =>
        {
            var machines = await workflow.GetMachines();
            Cli.PrintList(parse, machines, "No HPC machine is configured (Hpc:Machines).", machine => $"{machine.Machine,-20} {machine.Mode,-9} {(machine.ChangedAt is { } at ? $"{at.ToLocalTime():yyyy-MM-dd HH:mm:ss}  {machine.Reason}" : "")}" +
                $"{(machine.CertificateValidBefore is { } until ? $"  certificate until {until.ToLocalTime():yyyy-MM-dd HH:mm:ss}" : "")}");
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command Set()
    {
        var machine = new Argument<string>("machine") { Description = "The configured machine (Hpc:Machines:<name>)" };
        var mode = new Argument<MachineMode>("mode") { Description = "Enabled, Draining (no new jobs; its jobs go on), Disabled, or Test (new jobs from TEST incidents only)" };
        var reason = new Option<string>("--reason") { Description = "Why, for the other operators (shown with the mode)", Required = true };
        var command = new Command("set", "Change a machine's mode while silos run") { machine, mode, reason };
        command.Connected(async (parse, workflow, _) =>
        {
            var set = await workflow.SetMachineMode(parse.GetValue(machine)!, parse.GetValue(mode), parse.GetValue(reason)!);
            Console.WriteLine($"Machine {set.Machine} is {set.Mode}: {set.Reason}");
            return ExitCodes.Done;
        });
        return command;
    }
}
