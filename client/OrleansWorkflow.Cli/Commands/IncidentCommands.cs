using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Cli.Commands;

/// <summary>create, send, status, list, complete, cancel.</summary>
internal static class IncidentCommands
{
    public static IEnumerable<Command> All() => [Create(), Send(), Status(), List(), Complete(), Cancel()];

    private static Command Create()
    {
        var name = new Argument<string>("name") { Description = "What the incident is, e.g. \"Fire at Corte\"" };
        var kind = new Argument<string>("kind") { Description = "Its kind, e.g. FIRE" };
        var urgency = new Option<IncidentUrgency>("--urgency") { Description = "Routine (default), Urgent or Emergency: more urgent incidents' messages are handled first" };
        var deadline = new Option<DateTimeOffset?>("--deadline") { Description = "When it should be finished by (ISO 8601, e.g. 2026-07-14T16:00:00Z); past it, it shows overdue" };
        var count = new Option<int>("--count")
        {
            Description = "Create this many, named \"<name> 1\" to \"<name> N\", in batches (a drill, a flood); prints one IncidentID per line",
            DefaultValueFactory = _ => 1,
        };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1_000_000)
                result.AddError("--count takes 1 to 1000000 incidents.");
        });
        var command = new Command("create", "Create an incident; prints its IncidentID") { name, kind, urgency, deadline, count, Cli.JsonOutput };
        command.Connected(async (parse, workflow, cancellationToken) =>
        {
            var terms = new IncidentTerms { Urgency = parse.GetValue(urgency), Deadline = parse.GetValue(deadline) };
            if (parse.GetValue(count) is var many and > 1)
                return await CreateManyAsync(workflow, parse.GetValue(name)!, parse.GetValue(kind)!, terms, many, parse.GetValue(Cli.JsonOutput), cancellationToken);
            var id = await workflow.CreateIncident(parse.GetValue(name)!, parse.GetValue(kind)!, terms: terms);
            if (parse.GetValue(Cli.JsonOutput))
                Cli.PrintJson(await workflow.GetIncident(id));
            else
                Console.WriteLine(id);
            return ExitCodes.Done;
        });
        return command;
    }

    private static async Task<int> CreateManyAsync(Client.WorkflowClient workflow, string name, string kind, IncidentTerms terms, int count, bool json, CancellationToken cancellationToken)
    {
        var progress = new Progress<int>(created => Console.Error.WriteLine($"created {created} of {count}"));
        var ids = await workflow.CreateIncidents(Enumerable.Range(1, count).Select(i => new Client.IncidentRequest($"{name} {i}", kind, Terms: terms)), progress, cancellationToken);
        if (json)
            Cli.PrintJson(ids);
        else
            foreach (var id in ids)
                Console.WriteLine(id);
        return ExitCodes.Done;
    }

    private static Command Send()
    {
        var incident = Cli.IncidentArgument();
        var queue = new Argument<string>("queue") { Description = "The workflow queue, e.g. fire_terrain" };
        var data = new Option<string>("--data") { Description = "The message, a JSON object (its IncidentID is set for you)", DefaultValueFactory = _ => "{}" };
        var command = new Command("send", "Send a message to a queue for an incident; prints its MessageID") { incident, queue, data };
        command.Connected(async (parse, workflow, cancellationToken) =>
        {
            JsonObject message;
            try
            {
                message = JsonNode.Parse(parse.GetValue(data)!) as JsonObject
                    ?? throw new ArgumentException("--data must be a JSON object, like '{\"data\": \"some data\"}'.");
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"--data is not JSON ({e.Message}); give a JSON object, like '{{\"data\": \"some data\"}}'.");
            }
            message[WireContract.IncidentIdKey] = parse.GetValue(incident).ToString();
            Console.WriteLine(await workflow.SendNow(parse.GetValue(queue)!, message, cancellationToken));
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command Status()
    {
        var incident = Cli.IncidentArgument();
        var command = new Command("status", "An incident's status") { incident, Cli.JsonOutput };
        command.Connected(async (parse, workflow, _) =>
        {
            var info = await workflow.GetIncident(parse.GetValue(incident));
            if (parse.GetValue(Cli.JsonOutput))
                Cli.PrintJson(info);
            else
                Console.WriteLine($"{info.IncidentId} \"{info.Name}\" {info.Kind} version {info.WorkflowVersion}: {info.Status}{(info.Reason is null ? "" : $" ({info.Reason})")}");
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command List()
    {
        var status = new Option<IncidentStatus?>("--status") { Description = "Only incidents with this status: Pending, Active, Completed, Cancelled, Error" };
        var kind = new Option<string?>("--kind") { Description = "Only incidents of this kind" };
        var version = new Option<int?>("--workflow-version") { Description = "Only incidents created with this version of their kind's workflow (with --kind: which still need an old path)" };
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "Incidents, newest first") { status, kind, version, limit, Cli.JsonOutput };
        command.Connected(async (parse, workflow, _) =>
        {
            var incidents = await workflow.ListIncidents(new IncidentQuery(parse.GetValue(status), parse.GetValue(kind), parse.GetValue(limit), parse.GetValue(version)));
            Cli.PrintList(parse, incidents, "No incident matches.", i => $"{i.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}  {i.IncidentId}  {i.Status,-9}  {i.Kind,-10} v{i.WorkflowVersion,-3}  {i.Name}");
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command Complete()
    {
        var incident = Cli.IncidentArgument();
        var command = new Command("complete", "Mark an incident Completed") { incident };
        command.Connected(async (parse, workflow, _) =>
        {
            await workflow.Complete(parse.GetValue(incident));
            Console.WriteLine($"Incident {parse.GetValue(incident)} Completed");
            return ExitCodes.Done;
        });
        return command;
    }

    private static Command Cancel()
    {
        var incident = Cli.IncidentArgument();
        var reason = new Option<string>("--reason") { Description = "Why (kept with the incident)", Required = true };
        var command = new Command("cancel", "Cancel an incident and its running simulations") { incident, reason };
        command.Connected(async (parse, workflow, _) =>
        {
            await workflow.Cancel(parse.GetValue(incident), parse.GetValue(reason)!);
            Console.WriteLine($"Incident {parse.GetValue(incident)} Cancelled");
            return ExitCodes.Done;
        });
        return command;
    }
}
