using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using OrleansWorkflow.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansWorkflow.Tests.Packaging;

/// <summary>Packing and building a generated solution takes both cores for minutes: it runs alone, after the other collections, so the fault tests' timing is not its hostage.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection
{
    public const string Name = "packaging";
}

/// <summary>
/// The engine as its users get it: the solution packed into a folder of packages, the template installed from it, a
/// workflow of their own generated, built against those packages and the public registry only, run, and driven with
/// owf installed as a dotnet tool from the same folder.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class TemplateTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Packages =
        ["OrleansWorkflow.Abstractions", "OrleansWorkflow.Handlers", "OrleansWorkflow.Client", "OrleansWorkflow.Server", "OrleansWorkflow.Web", "OrleansWorkflow.Cli", "OrleansWorkflow.Templates", "OrleansWorkflow.Messaging", "OrleansWorkflow.Testing"];

    private readonly string _root = Directory.CreateTempSubdirectory("owf-template-").FullName;
    private readonly string _version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";

    [Fact]
    public async Task A_workflow_generated_from_the_packed_template_builds_on_the_packages_alone_and_completes_an_incident_driven_by_the_owf_tool()
    {
        var packages = Path.Combine(_root, "packages");
        await RunAsync(LoopbackHpc.RepositoryRoot, TimeSpan.FromMinutes(12), "pack", Path.Combine(LoopbackHpc.RepositoryRoot, "OrleansWorkflow.sln"),
            "-c", "Release", "-o", packages, $"-p:VersionSuffix={_version["0.1.0-".Length..]}", "-nologo", "-v", "q");

        var packed = Directory.GetFiles(packages, "*.nupkg").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(Packages.Order().Select(p => $"{p}.{_version}.nupkg"), packed);
        foreach (var package in packed)
            AssertHasReadmeAndLicence(Path.Combine(packages, package!));

        var hive = Path.Combine(_root, "template-hive");
        var work = Path.Combine(_root, "work");
        Directory.CreateDirectory(work);
        await RunAsync(work, TimeSpan.FromMinutes(2), "new", "install", Path.Combine(packages, $"OrleansWorkflow.Templates.{_version}.nupkg"), "--debug:custom-hive", hive);
        await RunAsync(work, TimeSpan.FromMinutes(2), "new", "owf-workflow", "-n", "Acme.Flood", "--debug:custom-hive", hive);
        await File.WriteAllTextAsync(Path.Combine(work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="owf" value="{packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        var solution = Path.Combine(work, "Acme.Flood");
        foreach (var file in Directory.EnumerateFiles(solution, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(LoopbackHpc.RepositoryRoot, await File.ReadAllTextAsync(file));
        Assert.True(File.Exists(Path.Combine(solution, "Acme.Flood.Handlers", "Acme.Flood.Handlers.csproj")), "the handler project is named after the solution");

        await RunAsync(solution, TimeSpan.FromMinutes(8), "build", "Acme.Flood.slnx", "-nologo", "-v", "q");
        // The handlers project takes the authoring package alone: none of the engine's own dependencies.
        var handlerPackages = await RunAsync(solution, TimeSpan.FromMinutes(3), "list", Path.Combine("Acme.Flood.Handlers", "Acme.Flood.Handlers.csproj"), "package", "--include-transitive");
        Assert.Contains("OrleansWorkflow.Handlers", handlerPackages);
        AssertNoEngineDependency(handlerPackages);
        // The generated tests of its handlers pass on the testing kit alone: run in a network namespace of their own, they
        // can reach no broker, database or machine of this host.
        var tested = await RunToEndAsync(StartInfo(solution, new Dictionary<string, string>(), "unshare",
            ["--net", "--", "sh", "-c", "ip link set lo up && exec dotnet test Acme.Flood.Tests --no-build -nologo"]), TimeSpan.FromMinutes(3));
        Assert.Contains("Passed!  - Failed:     0, Passed:     2, Skipped:     0, Total:     2", tested);
        await RunAsync(work, TimeSpan.FromMinutes(3), "tool", "install", "OrleansWorkflow.Cli", "--version", _version, "--tool-path", Path.Combine(work, "tools"), "--configfile", Path.Combine(work, "nuget.config"));

        await using var database = await TestDatabase.CreateAsync(withSchema: false);
        await using var broker = await TestVirtualHost.CreateAsync();
        var gatewayPort = TestServices.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["OWF_Storage__PostgreSql"] = database.ConnectionString,
            ["OWF_RabbitMQ__Uri"] = broker.Uri,
            ["OWF_Cluster__SiloPort"] = TestServices.FreePort().ToString(),
            ["OWF_Cluster__GatewayPort"] = gatewayPort.ToString(),
            // Service and cluster ids as generated: the silo's appsettings and the client's defaults must agree.
            ["OWF_Urls"] = $"http://127.0.0.1:{TestServices.FreePort()}",
            ["OWF_Web__AdminKeyFile"] = Path.Combine(work, "admin-key"),
        };
        var siloDll = Path.Combine(solution, "Acme.Flood.Silo", "bin", "Debug", "net10.0", "Acme.Flood.Silo.dll");
        // Setup runs as the server's superuser, the silo as the engine's login (as an operator would run them).
        await RunAsync(solution, TimeSpan.FromMinutes(1), new Dictionary<string, string>(environment) { ["OWF_Storage__PostgreSql"] = database.AdminConnectionString }, siloDll, "setup-database");
        var silo = Start(solution, environment, out var siloLog, siloDll);
        using var stopped = ProcessTree.EndOnDispose(silo);
        // Ready: it consumes its two queues, and wrote the admin key that owf on this machine names itself with.
        await Eventually.UntilAsync(() => Task.FromResult(siloLog.Any(l => l.Contains("queues of 2 nodes", StringComparison.Ordinal))
                && siloLog.Any(l => l.Contains("created the admin key", StringComparison.Ordinal)) || silo.HasExited),
            ready => ready, TimeSpan.FromSeconds(90), "the generated silo to consume its two queues and create its admin key");
        Assert.False(silo.HasExited, string.Join('\n', siloLog));

        var owf = Path.Combine(work, "tools", "owf");
        var created = await RunToolAsync(owf, environment, "create", "Rising river at Pont-Neuf", "Acme.Flood");
        var incident = created.Trim().Split('\n')[^1].Trim();
        Assert.True(Guid.TryParse(incident, out _), $"owf create printed no IncidentID: {created}");
        await RunToolAsync(owf, environment, "send", incident, "report", "--data", """{"data": "water at 2.1 m"}""");
        var watched = await RunToolAsync(owf, environment, "watch", incident, "--timeout", "00:01:30");
        output.WriteLine(watched);

        Assert.Contains("assessment", watched);
        Assert.Contains($"Assessed incident {incident} on 1 report(s)", string.Join('\n', siloLog));

        // The generated client console starts an incident of its own and waits for it.
        var clientDll = Path.Combine(solution, "Acme.Flood.Client", "bin", "Debug", "net10.0", "Acme.Flood.Client.dll");
        var started = await RunAsync(solution, TimeSpan.FromMinutes(2), environment, clientDll, "flood at the weir");
        Assert.Matches(@"Incident [0-9a-f-]{36} Completed", started);
    }

    [Fact]
    public async Task The_client_library_pulls_in_no_server_side_package()
    {
        var listing = await RunAsync(LoopbackHpc.RepositoryRoot, TimeSpan.FromMinutes(3), "list", Path.Combine("client", "OrleansWorkflow.Client"), "package", "--include-transitive");

        Assert.Contains("Microsoft.Orleans.Client", listing);
        foreach (var serverSide in new[] { "Microsoft.Orleans.Server", "SSH.NET", "Microsoft.Orleans.Persistence.AdoNet", "Microsoft.Orleans.Reminders.AdoNet", "Microsoft.Orleans.Dashboard" })
            Assert.DoesNotContain(serverSide, listing);
    }

    [Fact]
    public async Task The_fire_samples_handlers_build_on_the_handler_package_alone()
    {
        var listing = await RunAsync(LoopbackHpc.RepositoryRoot, TimeSpan.FromMinutes(3), "list", Path.Combine("samples", "OrleansWorkflow.Samples"), "package", "--include-transitive");

        Assert.Contains("Microsoft.Orleans.Sdk", listing);
        AssertNoEngineDependency(listing);
    }

    /// <summary>What a handler project must not pull in: the engine's server, storage, SSH and exporter packages.</summary>
    private static void AssertNoEngineDependency(string listing)
    {
        foreach (var engineSide in new[] { "Microsoft.Orleans.Server", "Microsoft.Orleans.Persistence.AdoNet", "Npgsql", "SSH.NET", "OpenTelemetry.Exporter", "RabbitMQ.Client" })
            Assert.DoesNotContain(engineSide, listing);
    }

    private static void AssertHasReadmeAndLicence(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        Assert.Contains(zip.Entries, e => e.FullName == "README.md");
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        var text = reader.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", text);
        Assert.Contains("<readme>README.md</readme>", text);
        Assert.Contains("<repository type=\"git\"", text);
    }

    /// <summary>Runs owf; it must exit 0.</summary>
    private async Task<string> RunToolAsync(string owf, IDictionary<string, string> environment, params string[] arguments)
    {
        var start = StartInfo(Path.GetDirectoryName(owf)!, environment, owf, arguments);
        return await RunToEndAsync(start, TimeSpan.FromMinutes(2));
    }

    private Task<string> RunAsync(string directory, TimeSpan timeout, params string[] arguments) =>
        RunAsync(directory, timeout, new Dictionary<string, string>(), arguments);

    private Task<string> RunAsync(string directory, TimeSpan timeout, IDictionary<string, string> environment, params string[] arguments) =>
        RunToEndAsync(StartInfo(directory, environment, "dotnet", arguments), timeout);

    private async Task<string> RunToEndAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        var lines = new ConcurrentQueue<string>();
        var process = BuiltProgram.Start(start, lines, lines);
        using var ended = ProcessTree.EndOnDispose(process); // a command that timed out must not run on
        var command = $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
        await BuiltProgram.WaitForExitAsync(process, timeout, () => $"{command}, whose output is:\n{string.Join('\n', lines)}\n,");
        var text = string.Join('\n', lines);
        Assert.True(process.ExitCode == 0, $"{command} exited {process.ExitCode}:\n{text}");
        return text;
    }

    private static Process Start(string directory, IDictionary<string, string> environment, out ConcurrentQueue<string> log, params string[] arguments)
    {
        log = new ConcurrentQueue<string>();
        return BuiltProgram.Start(StartInfo(directory, environment, "dotnet", arguments), log, log);
    }

    /// <summary>A child process as a user's shell would start it: none of the test run's own MSBuild or test-host variables.</summary>
    private static ProcessStartInfo StartInfo(string directory, IDictionary<string, string> environment, string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k.StartsWith("OWF_", StringComparison.Ordinal) || k == "DOTNET_HOST_PATH").ToList())
            start.Environment.Remove(inherited);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        return start;
    }

    public void Dispose()
    {
        // The packed test version must not linger in the global package cache.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in Packages)
        {
            var cached = Path.Combine(cache, package.ToLowerInvariant(), _version);
            if (Directory.Exists(cached))
                Directory.Delete(cached, recursive: true);
        }
        Directory.Delete(_root, recursive: true);
    }
}
