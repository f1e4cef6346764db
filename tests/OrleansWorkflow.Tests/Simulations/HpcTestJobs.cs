using OrleansWorkflow.Simulations.Machines;
using System.Text.Json.Nodes;
using OrleansWorkflow.Tests.Handlers;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>Test jobs on the loopback machine through the HPC test handlers: submitted by a message, their ends read back.</summary>
internal static class HpcTestJobs
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Awaits a job's progress for <see cref="Patience"/> of time with sshd up: collections run in parallel, and
    /// another's sshd outage (up to a minute, while a second silo starts) holds every submission and poll meanwhile.
    /// </summary>
    public static Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what) =>
        Eventually.UntilAsync(probe, done, Patience, what, uncounted: () => LoopbackHpc.SshdDowntime);

    /// <summary>Creates an incident whose submit handler runs <paramref name="script"/> as a job on <paramref name="machine"/>.</summary>
    public static async Task<Guid> SubmitTestJobAsync(this EngineFixture engine, string script, string machine = LoopbackHpc.Machine,
        JsonObject? request = null, Incidents.IncidentTerms? terms = null)
    {
        LoopbackHpc.Require(engine.Options<HpcOptions>());
        var incident = await engine.Client.CreateIncident("hpc test", "TEST", terms: terms);
        var message = new JsonObject { ["IncidentID"] = incident.ToString(), ["machine"] = machine, ["script"] = script };
        foreach (var (key, value) in request ?? [])
            message[key] = value?.DeepClone();
        await engine.Client.Send(HpcTestQueues.Submit, message);
        await engine.Client.FlushMessages();
        return incident;
    }

    /// <summary>The end message of the incident's one job, as its end handler received it.</summary>
    public static async Task<JsonObject> EndOfTestJobAsync(this EngineFixture engine, Guid incident)
    {
        var persisted = await UntilAsync(() => engine.Handler(incident, HpcTestQueues.End).GetPersisted(),
            p => p.Count > 0, "the job's end to reach the workflow");
        return JsonNode.Parse(Assert.Single(persisted))!.AsObject();
    }

    /// <summary>A file of the job whose end message is <paramref name="end"/>, as a handler reads it through the engine (one read at a time per incident).</summary>
    public static async Task<string> ReadJobFileAsync(this EngineFixture engine, Guid incident, JsonObject end, string file)
    {
        var before = (await engine.Handler(incident, HpcTestQueues.Read).GetPersisted()).Count;
        var request = (JsonObject)end.DeepClone();
        request["file"] = file;
        await engine.Client.Send(HpcTestQueues.Read, request);
        await engine.Client.FlushMessages();
        var read = await UntilAsync(() => engine.Handler(incident, HpcTestQueues.Read).GetPersisted(), p => p.Count > before, $"{file} to be read");
        return JsonNode.Parse(read[before])!["content"]!.GetValue<string>();
    }

    /// <summary>
    /// Creates an incident whose data handler has the loopback machine fetch <paramref name="provider"/>'s file as data
    /// "input" (expecting <paramref name="sha256"/>) and submits a job that reads it and writes <paramref name="outputBytes"/> bytes.
    /// </summary>
    public static async Task<Guid> FetchAsync(this EngineFixture engine, string name, DataProvider provider, string? sha256, long outputBytes)
    {
        var incident = await engine.Client.CreateIncident(name, "TEST");
        await engine.Client.Send(HpcTestQueues.DataFetch, new JsonObject
        {
            ["IncidentID"] = incident.ToString(), ["machine"] = LoopbackHpc.Machine, ["url"] = provider.Url.AbsoluteUri, ["sha256"] = sha256, ["output_bytes"] = outputBytes,
        });
        await engine.Client.FlushMessages();
        return incident;
    }
}
