using System.Diagnostics;
using System.Text;
using OrleansWorkflow.Graph;

namespace OrleansWorkflow.Client.Graph;

/// <summary>Writes an incident graph to a file whose extension picks the format: .dot, .json, .svg or .png (the last two drawn by Graphviz dot).</summary>
public static class GraphFiles
{
    /// <summary>The file extensions a graph can be written as.</summary>
    public static readonly string[] Formats = ["dot", "json", "svg", "png"];

    /// <summary>Writes <paramref name="graph"/> to <paramref name="path"/> in the format its extension names; throws naming the extensions when it names none.</summary>
    public static async Task WriteAsync(IncidentGraph graph, string path, CancellationToken cancellationToken = default)
    {
        var format = Path.GetExtension(path).TrimStart('.').ToLowerInvariant();
        if (!Formats.Contains(format))
            throw new ArgumentException($"Cannot write a graph as \"{path}\": name the file with one of the extensions {string.Join(", ", Formats.Select(f => "." + f))}.", nameof(path));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllBytesAsync(path, await RenderAsync(graph, format, cancellationToken), cancellationToken);
    }

    /// <summary>The graph in <paramref name="format"/> (one of <see cref="Formats"/>).</summary>
    public static async Task<byte[]> RenderAsync(IncidentGraph graph, string format, CancellationToken cancellationToken = default) => format switch
    {
        "dot" => Encoding.UTF8.GetBytes(GraphFormats.ToDot(graph)),
        "json" => Encoding.UTF8.GetBytes(GraphFormats.ToJson(graph)),
        "svg" or "png" => await DrawAsync(GraphFormats.ToDot(graph), format, cancellationToken),
        _ => throw new ArgumentException($"\"{format}\" is not a graph format; use one of {string.Join(", ", Formats)}.", nameof(format)),
    };

    /// <summary>Draws Graphviz <paramref name="dot"/> text as "svg" or "png" with Graphviz's dot.</summary>
    public static async Task<byte[]> DrawAsync(string dot, string format, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo("dot", $"-T{format}")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("Drawing SVG or PNG needs Graphviz's dot: install it (apt-get install graphviz), or write .dot or .json.", e);
        }

        using (process)
        {
            await process.StandardInput.WriteAsync(dot.AsMemory(), cancellationToken);
            process.StandardInput.Close();
            using var image = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(image, cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await Task.WhenAll(copy, errors);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"dot failed ({process.ExitCode}): {await errors}");
            return image.ToArray();
        }
    }
}
