using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansWorkflow.Client;
using OrleansWorkflow.Client.Graph;

// owf status <IncidentID>                  the incident's status
// owf graph <IncidentID> -o <file>         its workflow graph; the extension picks .svg, .png, .dot or .json
// owf simulations <IncidentID> [--json]    its HPC jobs: machine, job id, status, exit code, working directory
// owf silos                                the cluster's silos and their status
// Connects to the silo named by OWF_* environment variables (default: this machine).
// Exit codes: 0 done, 1 failed, 2 bad usage.

const string Usage = "usage: owf status <IncidentID>\n       owf graph <IncidentID> -o <file.svg|.png|.dot|.json>\n       owf simulations <IncidentID> [--json]\n       owf silos";

var incidentId = Guid.Empty;
if (args is not ["silos"] && (args.Length < 2 || !Guid.TryParse(args[1], out incidentId)))
{
    Console.Error.WriteLine(args.Length >= 2 ? $"owf: \"{args[1]}\" is not an IncidentID (a UUID).\n{Usage}" : Usage);
    return 2;
}

var output = args.SkipWhile(a => a is not ("-o" or "--output")).Skip(1).FirstOrDefault();
if (args[0] == "graph" && output is null)
{
    Console.Error.WriteLine($"owf graph: say where to write the graph with -o <file>.\n{Usage}");
    return 2;
}

try
{
    await using var workflow = await WorkflowClient.ConnectAsync(WorkflowClientOptions.FromEnvironment());
    switch (args[0])
    {
        case "status":
            var info = await workflow.GetIncident(incidentId);
            Console.WriteLine($"{info.IncidentId} \"{info.Name}\" {info.Kind}: {info.Status}{(info.Reason is null ? "" : $" ({info.Reason})")}");
            return 0;
        case "graph":
            await GraphFiles.WriteAsync(await workflow.GetGraph(incidentId), output!);
            Console.WriteLine($"Graph of incident {incidentId} written to {output}");
            return 0;
        case "silos":
            foreach (var (silo, status) in await workflow.GetSilos())
                Console.WriteLine($"{silo}  {status}");
            return 0;
        case "simulations":
            var simulations = await workflow.GetSimulations(incidentId);
            if (args.Contains("--json"))
                Console.WriteLine(JsonSerializer.Serialize(simulations, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } }));
            else if (simulations.Count == 0)
                Console.WriteLine($"Incident {incidentId} has no simulations.");
            else
                foreach (var simulation in simulations)
                    Console.WriteLine($"{simulation.SimulationId}  {simulation.Machine}  job {simulation.JobId ?? "-"}  {simulation.Status}" +
                                      $"{(simulation.ExitCode is { } code ? $" (exit {code})" : "")}  {simulation.WorkingDirectory}{(simulation.Detail is null ? "" : $"\n    {simulation.Detail}")}");
            return 0;
        default:
            Console.Error.WriteLine($"owf: unknown command \"{args[0]}\".\n{Usage}");
            return 2;
    }
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException)
{
    Console.Error.WriteLine($"owf: {e.Message}");
    return 1;
}
