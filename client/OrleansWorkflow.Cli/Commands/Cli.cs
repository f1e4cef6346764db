using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansWorkflow.Client;

namespace OrleansWorkflow.Cli.Commands;

/// <summary>What every command shares: the connection to the cluster, --json output, and errors turned into exit codes.</summary>
internal static class Cli
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static readonly Option<bool> JsonOutput = new("--json") { Description = "Print JSON (for programs) instead of text" };

    public static Argument<Guid> IncidentArgument() => new("IncidentID")
    {
        Description = "The incident's id (a UUID)",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Guid.TryParse(text, out var id))
                return id;
            result.AddError($"\"{text}\" is not an IncidentID (a UUID like 3f2504e0-4f89-11d3-9a0c-0305e82c3301).");
            return Guid.Empty;
        },
    };

    public static void PrintJson<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>Prints <paramref name="items"/>: as JSON with --json, else <paramref name="none"/> when there are none, else a line each.</summary>
    public static void PrintList<T>(ParseResult parse, IReadOnlyCollection<T> items, string none, Func<T, string> line)
    {
        if (parse.GetValue(JsonOutput))
            PrintJson(items);
        else if (items.Count == 0)
            Console.WriteLine(none);
        else
            foreach (var item in items)
                Console.WriteLine(line(item));
    }

    /// <summary>Runs a command against the cluster named by the OWF_* environment (this machine by default).</summary>
    public static void Connected(this Command command, Func<ParseResult, WorkflowClient, CancellationToken, Task<int>> action) =>
        command.Guarded(async (parse, cancellationToken) =>
        {
            await using var workflow = await WorkflowClient.ConnectAsync(WorkflowClientOptions.FromEnvironment(), cancellationToken: cancellationToken);
            return await action(parse, workflow, cancellationToken);
        });

    /// <summary>Runs a command, turning refusals into a message on stderr and an exit code: bad input 2, anything else 1.</summary>
    public static void Guarded(this Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(parse, cancellationToken);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"owf {command.Name}: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (UnauthorizedAccessException e)
            {
                Console.Error.WriteLine($"owf {command.Name}: {e.Message}");
                return ExitCodes.Refused;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or OrleansException)
            {
                Console.Error.WriteLine($"owf {command.Name}: {e.Message}");
                return ExitCodes.Failed;
            }
        });
}
