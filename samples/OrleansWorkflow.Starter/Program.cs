using OrleansWorkflow.Client;
using OrleansWorkflow.Samples.Starter;

// Usage: owf-example fire [remote] [--graph-dir DIR]   the forest fire + MesoNH workflow (the original's example.py)
//        owf-example ab                                the seed's Start -> A -> B -> End example
// Connects to the silo and broker named by OWF_* environment variables (defaults: this machine).

var example = args.FirstOrDefault() ?? "fire";
var remote = args.Contains("remote");
var graphDir = args.SkipWhile(a => a != "--graph-dir").Skip(1).FirstOrDefault() ?? ".run/graph";

if (example is not ("fire" or "ab"))
{
    Console.Error.WriteLine($"Unknown example \"{example}\". Known: fire [remote], ab.");
    return 2;
}

await using var workflow = await WorkflowClient.ConnectAsync(WorkflowClientOptions.FromEnvironment());
var run = example == "fire" ? Examples.StartFireAsync(workflow, remote) : Examples.StartABAsync(workflow);
var incidentId = await run;
Console.WriteLine($"Started incident {incidentId}; waiting for it to finish");

var end = await workflow.WaitForEndAsync(incidentId, TimeSpan.FromMinutes(10));
Console.WriteLine($"Incident {incidentId} {end.Status}{(end.Reason is null ? "" : $": {end.Reason}")}");

var graph = await workflow.GetGraph(incidentId);
foreach (var format in OrleansWorkflow.Client.Graph.GraphFiles.Formats)
{
    var path = Path.Combine(graphDir, $"{example}-{incidentId}.{format}");
    await OrleansWorkflow.Client.Graph.GraphFiles.WriteAsync(graph, path);
    Console.WriteLine($"Graph written to {path}");
}

return end.Status == OrleansWorkflow.Incidents.IncidentStatus.Completed ? 0 : 1;
