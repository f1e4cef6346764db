using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Simulations;

namespace OrleansWorkflow.Handlers;

/// <summary>What a handler may do while it handles one message. Nothing it does is kept unless it returns normally.</summary>
public interface IHandlerContext
{
    /// <summary>The incident of the message being handled.</summary>
    Guid IncidentId { get; }

    /// <summary>The kind of the incident.</summary>
    string Kind { get; }

    /// <summary>
    /// The version of its kind the incident was created with (the host declares its versions, <c>AddWorkflowVersions</c>);
    /// 1 for incidents created before versions were recorded. It never changes: a handler whose workflow changed keeps
    /// the path of the version an incident began with (<c>if (context.WorkflowVersion &lt; 2) ...</c>), and the engine
    /// runs the message only on a silo whose handlers run that version.
    /// </summary>
    int WorkflowVersion { get; }

    /// <summary>The queue this handler is registered on; also its name as an originator.</summary>
    string Queue { get; }

    /// <summary>The id of the message being handled.</summary>
    string MessageId { get; }

    /// <summary>Sends <paramref name="message"/> to <paramref name="queue"/> once the handler returns successfully.</summary>
    void Send(string queue, JsonObject message);

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="queue"/> <paramref name="delay"/> after this handler started
    /// on the message, once the handler returns successfully. Kept in storage until then (a silo restart does not lose
    /// it), sent once, and dropped when the incident finishes first.
    /// </summary>
    void SendAfter(TimeSpan delay, string queue, JsonObject message);

    /// <summary>As <see cref="SendAfter"/>, at <paramref name="time"/> (a time already past sends at once).</summary>
    void SendAt(DateTimeOffset time, string queue, JsonObject message);

    /// <summary>
    /// The join <paramref name="name"/> of this handler for this incident: takes the message being handled as an input
    /// when its originator is one of <paramref name="expect"/>, and fires exactly once, on the message that brings the
    /// <paramref name="needed"/>-th input (default: all), or when <paramref name="timeout"/> (counted from the first
    /// call) passes first; the timeout arrives as a message on this handler's queue, on which this call fires the join
    /// with what arrived. Nothing is kept unless the handler returns normally. The first call's expect, needed and
    /// timeout stay the join's for the incident; later calls read it.
    /// </summary>
    IJoin Join(string name, IReadOnlyCollection<string> expect, TimeSpan? timeout = null, int? needed = null);

    /// <summary>This handler's documents for this incident.</summary>
    IPersist Persist { get; }

    /// <summary>Marks the incident Completed once the handler returns successfully.</summary>
    void Complete();

    /// <summary>Marks the incident Cancelled, with a reason, once the handler returns successfully.</summary>
    void Cancel(string reason);

    /// <summary>HPC jobs: submitted once the handler returns successfully; their end arrives as a message.</summary>
    ISimulations Simulations { get; }

    /// <summary>The incident's data on HPC machines: binary files of any size, fetched onto a machine or kept from a job, read streamed.</summary>
    IIncidentData Data { get; }

    /// <summary>A logger named after the handler class.</summary>
    ILogger Logger { get; }

    /// <summary>Signalled when the silo shuts down.</summary>
    CancellationToken CancellationToken { get; }
}

/// <summary>Per-incident documents of one handler (the original's workflow.Persist).</summary>
public interface IPersist
{
    /// <summary>Keeps <paramref name="data"/> for this handler and incident, after the documents put before.</summary>
    void Put(JsonObject data);

    /// <summary>Every document this handler put for this incident, in order, including the ones put in this run.</summary>
    IReadOnlyList<JsonObject> Get();
}

/// <summary>The incident's jobs on HPC machines.</summary>
public interface ISimulations
{
    /// <summary>
    /// Submits <paramref name="request"/> once the handler returns successfully and returns its SimulationID. When the
    /// job ends, a <see cref="SimulationEnd"/> message goes to the request's notify queue. The machine's settings for the
    /// incident's urgency (Hpc:Machines:&lt;name&gt;:Urgency) fill the placement the request leaves unset. Throws at once
    /// when the request is invalid, names a machine that is not configured, or asks what its scheduler cannot do.
    /// </summary>
    Guid Submit(SimulationRequest request);

    /// <summary>
    /// Offers <paramref name="request"/> to each of <paramref name="machines"/> (its Machine is set to each in turn, with
    /// that machine's placement) once the handler returns successfully, and returns the one SimulationID the workflow
    /// hears of. With <see cref="SubmitStrategy.FirstToStart"/> the first job to start wins and the others are cancelled;
    /// the notify queue hears of the winner only.
    /// </summary>
    Guid Submit(SimulationRequest request, IReadOnlyList<string> machines, SubmitStrategy strategy);

    /// <summary>
    /// Submits the ensemble <paramref name="request"/> once the handler returns successfully and returns its
    /// SimulationID (member i's is <see cref="EnsembleRequest.MemberId"/>). Its notify queue hears the ensemble's end
    /// once its join is met (see <see cref="EnsembleRequest"/>); members left queued or running then are cancelled
    /// unless the request says otherwise. Throws at once as <see cref="Submit(SimulationRequest)"/> does, or when the
    /// ensemble itself is invalid (no members, Needed beyond them).
    /// </summary>
    Guid Submit(EnsembleRequest request);

    /// <summary>
    /// What the engine knows now of one of the incident's simulations (status, machine, job, expected start while
    /// queued); null when it is none of this incident's.
    /// </summary>
    Task<SimulationInfo?> GetAsync(Guid simulationId);

    /// <summary>
    /// Reads a file (e.g. the job's output) from the working directory of an ended simulation of this incident, over
    /// SFTP. The machine and the directory are the engine's own record of <paramref name="simulation"/>'s SimulationID,
    /// not the fields of the message; a simulation the engine never submitted for this incident is refused.
    /// </summary>
    Task<string> ReadFileAsync(SimulationEnd simulation, string fileName);
}

/// <summary>
/// The incident's data: files on HPC machines, by name, each with its size and SHA-256. Large inputs are fetched by the
/// machine itself and outputs stay where the job wrote them, so no file passes through the silo but the ones a
/// handler reads (streamed, never held whole).
/// </summary>
public interface IIncidentData
{
    /// <summary>
    /// Once the handler returns successfully, has <paramref name="machine"/> fetch <paramref name="url"/> (http or
    /// https) as the incident's data <paramref name="name"/>, and hash it; with <paramref name="sha256"/>, a file of
    /// another checksum fails. <paramref name="notifyQueue"/>, when given, hears when it is ready or failed
    /// (<see cref="DataItem.ToMessage"/>). A simulation naming it in <see cref="SimulationRequest.Inputs"/> waits for it.
    /// Registering a name again with the same source changes nothing; another source is refused.
    /// </summary>
    void Fetch(string name, Uri url, string machine, string? sha256 = null, string? notifyQueue = null);

    /// <summary>
    /// Once the handler returns successfully, keeps <paramref name="fileName"/> of an ended simulation of this incident
    /// as the incident's data <paramref name="name"/> (it stays in the job's directory, on its machine) and hashes it;
    /// <paramref name="notifyQueue"/>, when given, hears when it is ready.
    /// </summary>
    void Keep(SimulationEnd simulation, string fileName, string name, string? notifyQueue = null);

    /// <summary>
    /// Once the handler returns successfully, copies the incident's data <paramref name="name"/> onto
    /// <paramref name="machine"/> as <paramref name="copyName"/> (when it is ready; streamed through a silo, its
    /// SHA-256 checked on both machines); <paramref name="notifyQueue"/>, when given, hears when the copy is ready.
    /// </summary>
    void Copy(string name, string machine, string copyName, string? notifyQueue = null);

    /// <summary>The incident's data, ready or not, by name.</summary>
    Task<IReadOnlyList<DataItem>> ListAsync();

    /// <summary>
    /// Opens ready data <paramref name="name"/> for reading, streamed from its machine; reading it to its end checks
    /// its SHA-256 (a mismatch throws <see cref="InvalidDataException"/>). Dispose the stream when done.
    /// </summary>
    Task<Stream> OpenReadAsync(string name);
}
