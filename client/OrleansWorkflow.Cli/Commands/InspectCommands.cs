using System.CommandLine;
using OrleansWorkflow.Client.Graph;

namespace OrleansWorkflow.Cli.Commands;

/// <summary>graph, simulations, silos.</summary>
internal static class InspectCommands
{
    public static IEnumerable<Command> All() => [Graph(), Simulations(), Silos()];

    private static Command Graph()
    {
        var incident = Cli.IncidentArgument();
        var output = new Option<string?>("--output", "-o") { Description = "Write it to this file; the extension picks .svg, .png, .dot or .json" };
        var command = new Command("graph", "An incident's workflow graph (JSON on stdout, or a file)") { incident, output, Cli.JsonOutput };
        command.Connected(async (parse, workflow, cancellationToken) =>
        {
            var graph = await workflow.GetGraph(parse.GetValue(incident));
            if (parse.GetValue(output) is not { } file)
            {
                Console.WriteLine(OrleansWorkflow.Graph.GraphFormats.ToJson(graph));
                return ExitCodes.Done;
            }
            await GraphFiles.WriteAsync(graph, file, cancellationToken);
            Console.WriteLine($"Graph of incident {parse.GetValue(incident)} written to {file}");
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command Simulations()
    {
        var incident = Cli.IncidentArgument();
        var command = new Command("simulations", "An incident's HPC jobs: machine, job id, status, exit code, working directory") { incident, Cli.JsonOutput };
        command.Connected(async (parse, workflow, _) =>
        {
            var simulations = await workflow.GetSimulations(parse.GetValue(incident));
            Cli.PrintList(parse, simulations, $"Incident {parse.GetValue(incident)} has no simulations.", s => $"{s.SimulationId}  {s.Machine}  job {s.JobId ?? "-"}  {s.Status}" +
                                      $"{(s.ExitCode is { } code ? $" (exit {code})" : "")}  {s.WorkingDirectory}{(s.Detail is null ? "" : $"\n    {s.Detail}")}");
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command Silos()
    {
        var command = new Command("silos", "The cluster's silos and their status") { Cli.JsonOutput };
        command.Connected(async (parse, workflow, _) =>
        {
            var silos = await workflow.GetSilos();
            if (parse.GetValue(Cli.JsonOutput))
                Cli.PrintJson(silos);
            else
                foreach (var (silo, status) in silos)
                    Console.WriteLine($"{silo}  {status}");
            return ExitCodes.Done;
        });
        return command;
    }
}
