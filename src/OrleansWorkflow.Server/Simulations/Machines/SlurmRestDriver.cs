using System.Net;
using System.Text.Json.Nodes;
using OrleansWorkflow.Simulations.Schedulers;

namespace OrleansWorkflow.Simulations.Machines;

/// <summary>
/// Drives a Slurm machine through slurmrestd with a JWT (Driver SlurmRest): submits, asks after and cancels jobs over
/// HTTP; writes the job's files, reads its evidence and files, and stages data through <paramref name="files"/> (SFTP),
/// since slurmrestd moves no files. A refused token or an unreachable slurmrestd is never read as a job's end.
/// </summary>
internal sealed class SlurmRestDriver(string name, MachineOptions options, SshMachineDriver files, HttpClient http) : IMachineDriver
{
    private string Api => $"slurm/{options.RestApiVersion}";

    public async Task<(string JobId, bool Adopted)> SubmitAsync(Guid simulationId, string workingDirectory, SimulationRequest request, IReadOnlyDictionary<string, string> links,
        CancellationToken cancellationToken)
    {
        var (existed, recorded) = await files.JobDirectoryAsync(workingDirectory, cancellationToken);
        if (recorded is not null)
            return (recorded, true);
        var jobName = Machine.JobNameOf(simulationId);
        // Only an earlier attempt, which made the directory, can have submitted the job; its files are then left as they are.
        if (existed && await FindAsync(jobName, cancellationToken) is { } found)
        {
            await files.RecordJobIdAsync(workingDirectory, found, cancellationToken);
            return (found, true);
        }
        await files.PrepareJobAsync(workingDirectory, request, links, cancellationToken);
        var answer = await SendAsync(HttpMethod.Post, $"{Api}/job/submit", new JsonObject
        {
            ["script"] = JobEvidence.Wrapper(request.Script, workingDirectory),
            ["job"] = JobOf(jobName, workingDirectory, request),
        }, cancellationToken);
        var jobId = answer["job_id"]?.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException($"Machine {name}: slurmrestd accepted the job in {workingDirectory} but gave no job_id ({answer.ToJsonString()}).");
        await files.RecordJobIdAsync(workingDirectory, jobId, cancellationToken);
        return (jobId, false);
    }

    /// <summary>The request's resources and placement as slurmrestd's job description.</summary>
    private static JsonObject JobOf(string jobName, string workingDirectory, SimulationRequest request)
    {
        var job = new JsonObject
        {
            ["name"] = jobName,
            ["current_working_directory"] = workingDirectory,
            ["standard_output"] = $"{workingDirectory}/slurm-%j.out",
            ["environment"] = new JsonObject { ["PATH"] = "/usr/local/bin:/usr/bin:/bin" },
        };
        if (request.TimeLimit is { } limit)
            job["time_limit"] = (int)Math.Ceiling(limit.TotalMinutes);
        if (request.Nodes is { } nodes)
            job["nodes"] = nodes;
        if (request.TasksPerNode is { } tasks)
            job["tasks_per_node"] = tasks;
        if (request.MemoryMegabytes is { } memory)
            job["memory_per_node"] = memory;
        foreach (var (field, value) in new[] { ("partition", request.Partition), ("qos", request.Qos), ("account", request.Account), ("reservation", request.Reservation) })
            if (value is not null)
                job[field] = value;
        if (request.BeginAt is { } begin)
            job["begin_time"] = begin.ToUnixTimeSeconds();
        if (request.Deadline is { } deadline)
            job["deadline"] = deadline.ToUnixTimeSeconds();
        return job;
    }

    /// <summary>The id of a job named <paramref name="jobName"/> that slurmrestd knows, finished ones included; null when none.</summary>
    private async Task<string?> FindAsync(string jobName, CancellationToken cancellationToken)
    {
        var jobs = await SendAsync(HttpMethod.Get, $"{Api}/jobs", null, cancellationToken);
        return (jobs["jobs"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(j => j["name"]?.GetValue<string>() == jobName)
            .Select(j => j["job_id"]?.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
    }

    public async Task<IReadOnlyDictionary<string, JobObservation>> QueryAsync(IReadOnlyDictionary<string, string> jobs, CancellationToken cancellationToken)
    {
        var observed = new Dictionary<string, JobObservation>();
        try
        {
            foreach (var jobId in jobs.Keys)
                observed[jobId] = await ObserveAsync(jobId, cancellationToken);
            var forgotten = jobs.Where(j => observed[j.Key].Kind == ObservationKind.NotFound).ToDictionary(j => j.Key, j => j.Value);
            if (forgotten.Count > 0)
                foreach (var (jobId, end) in await files.EvidenceAsync(forgotten, cancellationToken))
                    observed[jobId] = end;
            LastPoll = new MachinePoll(DateTimeOffset.UtcNow, null);
            return observed;
        }
        catch (Exception e) when (e is MachineUnreachableException or SlurmRestRefusal)
        {
            // slurmrestd answers a refused token with an unspecified error: anything but "no such job" is no answer.
            LastPoll = new MachinePoll(DateTimeOffset.UtcNow, e.Message);
            return jobs.Keys.ToDictionary(id => id, _ => JobObservation.Unreachable(e.Message));
        }
    }

    private async Task<JobObservation> ObserveAsync(string jobId, CancellationToken cancellationToken)
    {
        JsonObject answer;
        try
        {
            answer = await SendAsync(HttpMethod.Get, $"{Api}/job/{Uri.EscapeDataString(Shell.JobId(jobId))}", null, cancellationToken);
        }
        catch (SlurmRestRefusal refusal) when (refusal.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            return JobObservation.NotFound(refusal.Message);
        }
        if ((answer["jobs"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault() is not { } job)
            return JobObservation.NotFound($"slurmrestd knows no job {jobId}");
        var state = job["job_state"]?.GetValue<string>() ?? "";
        var status = SlurmScheduler.StatusOf(state);
        // v0.0.38 gives the job's wait status: the exit code is its second byte.
        int? exit = status.IsFinished() && job["exit_code"] is JsonValue code && code.TryGetValue<int>(out var waitStatus) ? (waitStatus >> 8) & 0xFF : null;
        var reason = job["state_reason"]?.GetValue<string>();
        DateTimeOffset? expected = status == SimulationStatus.Queued && job["start_time"] is JsonValue start && start.TryGetValue<long>(out var at) && at > 0
            ? DateTimeOffset.FromUnixTimeSeconds(at) : null;
        return JobObservation.Seen(status, exit, $"JobState={state}" + (reason is null or "None" ? "" : $" Reason={reason}") + (exit is { } e ? $" ExitCode={e}" : "")) with { ExpectedStart = expected };
    }

    public MachinePoll? LastPoll { get; private set; }

    public async Task<RemoteResult> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(HttpMethod.Delete, $"{Api}/job/{Uri.EscapeDataString(Shell.JobId(jobId))}", null, cancellationToken);
            return new RemoteResult(0, $"slurmrestd cancelled job {jobId}", "");
        }
        catch (SlurmRestRefusal refusal)
        {
            return new RemoteResult(1, "", refusal.Message);
        }
    }

    public Task<string> ReadFileAsync(string workingDirectory, string fileName, CancellationToken cancellationToken) =>
        files.ReadFileAsync(workingDirectory, fileName, cancellationToken);

    public Task StartStagingAsync(string directory, string dataName, string script, CancellationToken cancellationToken) =>
        files.StartStagingAsync(directory, dataName, script, cancellationToken);

    public Task<string> ProbeStagingAsync(string directory, string dataName, CancellationToken cancellationToken) =>
        files.ProbeStagingAsync(directory, dataName, cancellationToken);

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) => files.OpenReadAsync(path, cancellationToken);

    public Task<Stream> OpenWriteAsync(string path, CancellationToken cancellationToken) => files.OpenWriteAsync(path, cancellationToken);

    public Task DeleteDirectoryAsync(string directory, CancellationToken cancellationToken) => files.DeleteDirectoryAsync(directory, cancellationToken);

    /// <summary>
    /// One request to slurmrestd with the account's name and current token. Throws MachineUnreachableException when
    /// slurmrestd cannot be reached or refuses the token, SlurmRestRefusal when it answers with errors.
    /// </summary>
    private async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(options.TokenFile, cancellationToken)).Trim();
        }
        catch (IOException e)
        {
            throw new MachineUnreachableException(name, $"Machine {name}: cannot read its token file {options.TokenFile} ({e.Message}); set Hpc:Machines:{name}:TokenFile.");
        }
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-SLURM-USER-NAME", options.User);
        request.Headers.Add("X-SLURM-USER-TOKEN", token);
        // With its length, and a bare media type: slurmrestd takes no chunked body, and no charset parameter.
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString());
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new MachineUnreachableException(name, $"Machine {name}: slurmrestd at {options.RestUrl} cannot be reached ({e.Message}).");
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new MachineUnreachableException(name, $"Machine {name}: slurmrestd refused the token in {options.TokenFile} ({(int)response.StatusCode}); refresh it (scontrol token, or the site's token service).");
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var answer = (text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null) ?? [];
            var errors = (answer["errors"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(e => e["error"]?.GetValue<string>() ?? e["description"]?.GetValue<string>() ?? e.ToJsonString()).Where(e => e.Length > 0).ToList();
            if (errors.Count > 0 || !response.IsSuccessStatusCode)
                throw new SlurmRestRefusal($"Machine {name}: slurmrestd refused {method} /{path}: " + (errors.Count > 0 ? string.Join("; ", errors) : $"HTTP {(int)response.StatusCode} {text}"));
            return answer;
        }
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        return files.DisposeAsync();
    }
}

/// <summary>slurmrestd answered a request with errors.</summary>
internal sealed class SlurmRestRefusal(string message) : InvalidOperationException(message);
