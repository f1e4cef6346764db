using System.Xml.Linq;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Packaging;

/// <summary>
/// The packages' references point one way: contracts (Abstractions), then what handlers and clients build on
/// (Handlers, Messaging), then the runtimes (Server, Client), then what hosts the runtime (Web, the owf tool, the testing kit). A
/// package reaches, through its references, only packages of lower layers.
/// </summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class PackageLayerTests
{
    private static readonly Dictionary<string, int> Layers = new()
    {
        ["OrleansWorkflow.Abstractions"] = 0,
        ["OrleansWorkflow.Handlers"] = 1,
        ["OrleansWorkflow.Messaging"] = 1,
        ["OrleansWorkflow.Server"] = 2,
        ["OrleansWorkflow.Client"] = 2,
        ["OrleansWorkflow.Web"] = 3,
        ["OrleansWorkflow.Cli"] = 3,
        ["OrleansWorkflow.Testing"] = 3,
    };

    [Fact]
    public void Every_package_reaches_only_packages_of_lower_layers()
    {
        var wrong = Layers.Keys.SelectMany(project => Reached(project).Where(reached => Layers[reached] >= Layers[project]).Select(reached => $"{project} -> {reached}")).ToList();

        Assert.Empty(wrong);
        Assert.DoesNotContain("OrleansWorkflow.Client", Reached("OrleansWorkflow.Web"));
        Assert.Contains("OrleansWorkflow.Messaging", Reached("OrleansWorkflow.Web"));
    }

    /// <summary>Every project <paramref name="project"/> references, directly or through others.</summary>
    private static HashSet<string> Reached(string project)
    {
        var reached = new HashSet<string>();
        var next = new Stack<string>([project]);
        while (next.TryPop(out var current))
            foreach (var reference in References(current))
                if (reached.Add(reference))
                    next.Push(reference);
        return reached;
    }

    private static IEnumerable<string> References(string project)
    {
        var file = Directory.GetFiles(LoopbackHpc.RepositoryRoot, project + ".csproj", SearchOption.AllDirectories).Single(f => !f.Contains("/bin/") && !f.Contains("/obj/"));
        return XDocument.Load(file).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')));
    }
}
