using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansWorkflow.Graph;

/// <summary>An incident graph as Graphviz DOT (for dot to draw) and as JSON (for programs).</summary>
public static class GraphFormats
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The graph as indented JSON (camelCase, enums by name).</summary>
    public static string ToJson(IncidentGraph graph) => JsonSerializer.Serialize(graph, Json);

    /// <summary>A graph read back from <see cref="ToJson"/>'s JSON.</summary>
    public static IncidentGraph? FromJson(string json) => JsonSerializer.Deserialize<IncidentGraph>(json, Json);

    /// <summary>The graph as Graphviz DOT: nodes coloured by how far they got, edges labelled with their message counts.</summary>
    public static string ToDot(IncidentGraph graph)
    {
        var dot = new StringBuilder();
        dot.AppendLine("digraph incident {");
        dot.AppendLine($"  label={Quote($"{graph.Name} ({graph.IncidentId}): {graph.Status}")};");
        dot.AppendLine("  labelloc=t; rankdir=TB;");
        dot.AppendLine("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];");
        foreach (var node in graph.Nodes)
        {
            var shape = node.IsSource ? ", shape=ellipse" : "";
            dot.AppendLine($"  {Quote(node.Id)} [fillcolor={Quote(Colour(node))}{shape}, tooltip={Quote(node.Status.ToString())}];");
        }

        foreach (var edge in graph.Edges)
        {
            var label = edge.Messages > 1 ? $" [label={Quote(edge.Messages.ToString())}]" : "";
            dot.AppendLine($"  {Quote(edge.From)} -> {Quote(edge.To)}{label};");
        }

        dot.AppendLine("}");
        return dot.ToString();
    }

    private static string Colour(GraphNode node) => node.IsSource ? "white" : node.Status switch
    {
        NodeStatus.Sent => "lightyellow",
        NodeStatus.Processing => "lightskyblue",
        NodeStatus.Completed => "palegreen",
        NodeStatus.Error => "salmon",
        _ => "white",
    };

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
