using OrleansWorkflow.Simulations.Schedulers;

namespace OrleansWorkflow.Simulations.Data;

/// <summary>
/// The shell a machine runs to stage an incident's data, detached from the SSH session (a fetch of hundreds of MB
/// outlives any command timeout): fetch a URL (or take a job's file), hash it, and leave one status line in the data
/// directory: "ok &lt;size&gt; &lt;sha256&gt;" or "failed &lt;why&gt;".
/// </summary>
internal static class DataStaging
{
    /// <summary>The files of data <paramref name="name"/>'s staging in its data directory (data names never start with '.').</summary>
    public static string StatusFile(string name) => $".owf-{name}.status";
    public static string ScriptFile(string name) => $".owf-{name}.sh";
    public static string PidFile(string name) => $".owf-{name}.pid";

    /// <summary>Fetches <paramref name="url"/> to <paramref name="path"/> (whole or not at all), then hashes it.</summary>
    public static string FetchScript(string name, Uri url, string path) => Script(name,
        $"curl -fsSL --retry 3 --proto =http,https -o {Shell.Quote(path + ".part")} -- {Shell.Quote(url.AbsoluteUri)} || {{ code=$?; fail \"the machine could not fetch \"{Shell.Quote(url.AbsoluteUri)}\" (curl exited $code)\"; }}\n" +
        $"mv -f {Shell.Quote(path + ".part")} {Shell.Quote(path)} || fail 'could not move the fetched file into place'\n",
        path, inside: null);

    /// <summary>Hashes <paramref name="path"/>, a file a job left, which must resolve inside <paramref name="workingDirectory"/>.</summary>
    public static string KeepScript(string name, string path, string workingDirectory) => Script(name, "", path, inside: workingDirectory);

    private static string Script(string name, string fetch, string path, string? inside)
    {
        var status = Shell.Quote(StatusFile(name));
        var confine = inside is null ? "" :
            $"d=$(realpath -e -- {Shell.Quote(inside)}) || fail 'the job directory is gone'\n" +
            "case \"$f\" in \"$d\"/*) ;; *) fail 'it leads outside the job directory' ;; esac\n";
        return "#!/bin/sh\n" +
               "# Written by OrleansWorkflow: stages one file of an incident's data and leaves its status line.\n" +
               $"fail() {{ echo \"failed $1\" > {status}.new && mv -f {status}.new {status}; exit 0; }}\n" +
               fetch +
               $"f=$(realpath -e -- {Shell.Quote(path)}) || fail 'there is no such file'\n" +
               confine +
               "[ -f \"$f\" ] || fail 'it is not a regular file'\n" +
               "size=$(stat -L -c %s -- \"$f\") || fail 'could not read its size'\n" +
               "sum=$(sha256sum -- \"$f\" | cut -d' ' -f1) || fail 'could not hash it'\n" +
               $"echo \"ok $size $sum\" > {status}.new && mv -f {status}.new {status}\n";
    }

    /// <summary>Starts the staging script detached, unless it ended or still runs.</summary>
    public static string StartCommand(string directory, string name)
    {
        var (status, script, pid) = (Shell.Quote(StatusFile(name)), Shell.Quote(ScriptFile(name)), Shell.Quote(PidFile(name)));
        return string.Join('\n',
            $"cd {Shell.Quote(directory)} || exit 1",
            $"[ -e {status} ] && exit 0",
            $"if [ -s {pid} ] && kill -0 \"$(cat {pid})\" 2>/dev/null; then exit 0; fi",
            $"nohup /bin/sh {script} > /dev/null 2>&1 < /dev/null &",
            $"echo $! > {pid}");
    }

    /// <summary>Prints the status line, or "running", or "gone" (neither ended nor running: start it again).</summary>
    public static string ProbeCommand(string directory, string name)
    {
        var (status, pid) = (Shell.Quote($"{directory}/{StatusFile(name)}"), Shell.Quote($"{directory}/{PidFile(name)}"));
        return $"cat {status} 2>/dev/null && exit 0; if [ -s {pid} ] && kill -0 \"$(cat {pid})\" 2>/dev/null; then echo running; else echo gone; fi";
    }

    /// <summary>What a probe's output says.</summary>
    public static DataProbe Parse(string output)
    {
        var line = output.Trim().Split('\n')[^1].Trim();
        var words = line.Split(' ', 3);
        if (words is ["ok", var size, var sum] && long.TryParse(size, out var bytes) && sum.Length == 64)
            return new DataProbe(DataStatus.Ready, bytes, sum, null);
        if (line.StartsWith("failed ", StringComparison.Ordinal))
            return new DataProbe(DataStatus.Failed, null, null, line["failed ".Length..]);
        return new DataProbe(DataStatus.Pending, null, null, line == "gone" ? "gone" : null);
    }
}

/// <summary>What the machine says of a staging: ready with size and SHA-256, failed with why, or pending (Detail "gone": not running, start it again).</summary>
internal sealed record DataProbe(DataStatus Status, long? Size, string? Sha256, string? Detail)
{
    public bool Gone => Status == DataStatus.Pending && Detail == "gone";
}
