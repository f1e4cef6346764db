using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Hosting;

namespace OrleansWorkflow.Web.Security;

/// <summary>
/// Secure by default, on loopback too: with no key configured and none in the database, the first silo of the cluster
/// creates an admin key, keeps only its hash in the database, writes the key to a file only this user can read, and
/// prints a sign-in link on its terminal (never in a log that is redirected somewhere).
/// </summary>
internal sealed class FirstAdminKey(AccessKeyStore keys, IOptions<WebOptions> web, IOptions<WorkflowClusterOptions> cluster, IServer server,
    IHostApplicationLifetime lifetime, ILogger<FirstAdminKey> logger) : BackgroundService
{
    public const string Name = "admin";

    /// <summary>Where the key is written: Web:AdminKeyFile, or ~/.config/orleans-workflow/&lt;ClusterId&gt;.admin-key.</summary>
    public static string PathOf(WebOptions options, WorkflowClusterOptions cluster) => OrleansWorkflow.Configuration.AdminKeyFile.PathFor(options.AdminKeyFile, cluster.ClusterId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (keys.HasConfiguredKeys)
            return;
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(stoppingToken);
        var file = PathOf(web.Value, cluster.Value);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await keys.CreateFirstAdminAsync(Name) is { } key)
                {
                    Write(file, key);
                    logger.LogWarning("No API key was configured: created the admin key \"{Name}\" and wrote it to {File} (readable by this user only); sign in on {Url} with it, and create keys for others there", Name, file, SignInUrl(null));
                    if (!Console.IsOutputRedirected)
                        Console.WriteLine($"\n    Sign in to the incident pages with:\n    {SignInUrl(key)}\n");
                }
                else if (File.Exists(file) && await keys.FindAsync((await File.ReadAllTextAsync(file, stoppingToken)).Trim()) is not null)
                    logger.LogInformation("Sign in with the admin key in {File} on {Url}", file, SignInUrl(null));
                else
                    logger.LogInformation("API keys are kept in the database; sign in on {Url} with a key an admin gave you", SignInUrl(null));
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not read or create the first admin key; trying again in 5 s");
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }

    private string SignInUrl(string? key)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:8080";
        address = address.Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://[::1]").Replace("://+", "://127.0.0.1").TrimEnd('/');
        // The key goes in the fragment: browsers do not send it, so no server or proxy log gets it.
        return address + SignInEndpoints.Path + (key is null ? "" : "#key=" + key);
    }

    private static void Write(string file, string key)
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file))!;
        var unix = !OperatingSystem.IsWindows();
        if (!Directory.Exists(directory))
        {
            if (unix)
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            else
                Directory.CreateDirectory(directory); // under the user's profile, which only they can read
        }
        File.Delete(file); // created afresh, so the mode below holds even if an older file was readable by others
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (unix)
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(file, create);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(key);
    }
}
