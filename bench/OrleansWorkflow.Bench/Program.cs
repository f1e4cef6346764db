using OrleansWorkflow.Bench;
using OrleansWorkflow.Messaging;

// owf-bench [--messages N] [--rounds N] [--chain N] [--fire N,N,...] [--long M,M,...] [--urgent N] [--out FILE] | --smoke
// Needs RabbitMQ and PostgreSQL as scripts/services.sh starts them; bench/run.sh does all of it.
// Measures, interleaved: R1 (broker floor), R2 (floor + one committed write per message), E1 (the engine),
// then C (N incidents created in batches), F (N fire incidents at once), U (one Emergency behind N routine fire incidents) and L (one incident of M messages), and writes the table's numbers to
// bench/results/latest.json. The engine runs as its own process (owf-bench silo ...), started here.

if (args is [BenchSilo.Command, ..])
    return await BenchSilo.RunAsync(args);

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"owf-bench: {e.Message}");
    return 2;
}

var command = "owf-bench " + string.Join(' ', args);
Console.WriteLine($"[bench] preparing a fresh database and virtual host");
var environment = await BenchEnvironment.CreateAsync();
var broker = new RabbitMqOptions { Uri = environment.BrokerUri };
broker.Prefetch = options.Prefetch ?? broker.Prefetch;
broker.ConsumerConcurrency = options.Concurrency ?? broker.ConsumerConcurrency;
await using var engine = await BenchEngine.StartAsync(environment, broker, options);

// Warm up every path once (JIT, connections, pools) before anything is timed.
await RawFloor.RunAsync(environment, broker, 200, options.BodyBytes, writeState: true);
await (await ChainRun.PrepareAsync(engine.Client, broker, options with { Messages = 200 }))();

var measurements = new List<Measurement>();
for (var round = 1; round <= options.Rounds; round++)
{
    foreach (var scenario in new[] { "R1", "R2", "E1" })
    {
        Func<Task> run = scenario switch
        {
            "R1" => () => RawFloor.RunAsync(environment, broker, options.Messages, options.BodyBytes, writeState: false),
            "R2" => () => RawFloor.RunAsync(environment, broker, options.Messages, options.BodyBytes, writeState: true),
            _ => await ChainRun.PrepareAsync(engine.Client, broker, options),
        };
        var messages = scenario == "E1" ? options.Messages / options.ChainLength * options.ChainLength : options.Messages;
        var measured = await Measurement.TakeAsync(scenario, messages, environment, engine, run);
        measurements.Add(measured);
        Console.WriteLine($"[bench] round {round}/{options.Rounds} {scenario}: {measured.Messages} messages in {measured.Elapsed.TotalSeconds:0.00} s = {measured.MessagesPerSecond:0} msgs/s");
    }
}

CreateResult? create = null;
if (options.CreateIncidents > 0)
{
    Console.WriteLine($"[bench] C: creating {options.CreateIncidents} incidents in batches");
    create = await CreateRun.RunAsync(engine.Client, environment, options.CreateIncidents);
    Console.WriteLine($"[bench] C n={create.N}: {create.Created} created, {create.IncidentsPerSecond:0} incidents/s, {create.CommitsPerIncident:0.00} DB commits per incident");
}

var fire = new List<FireResult>();
foreach (var n in options.FireIncidents)
{
    Console.WriteLine($"[bench] F: starting {n} fire incidents at once");
    var result = await FireRun.RunAsync(engine.Client, n, patience: TimeSpan.FromMinutes(15));
    fire.Add(result);
    Console.WriteLine($"[bench] F n={n}: {result.Completed} completed, {result.IncidentsPerSecond:0.0} incidents/s, p50 {result.P50Ms:0} ms, p99 {result.P99Ms:0} ms");
}

// The silo's peak through F, the many-incidents load the target is set for; U's backlog and L's one long incident come after.
var siloPeakThroughF = engine.SiloPeakMegabytes;

UrgentResult? urgent = null;
if (options.UrgentBacklog > 0)
{
    Console.WriteLine($"[bench] U: one Emergency fire incident after {options.UrgentBacklog} routine ones");
    urgent = await UrgentRun.RunAsync(engine.Client, options.UrgentBacklog, patience: TimeSpan.FromMinutes(15));
    Console.WriteLine($"[bench] U n={urgent.Routine}: the Emergency completed in {urgent.EmergencySeconds:0.00} s, a Routine one created with it in {urgent.ControlSeconds:0.00} s; {urgent.RoutineCompleted} routine completed, p50 {urgent.RoutineP50Ms:0} ms");
}

var longRuns = new List<LongResult>();
foreach (var workflow in new[] { LongRun.Fire, LongRun.Chain })
    foreach (var m in options.LongIncidents)
    {
        Console.WriteLine($"[bench] L {workflow}: one incident fed {m} messages");
        var result = await LongRun.RunAsync(engine.Client, environment, workflow, options.ChainLength, m);
        longRuns.Add(result);
        Console.WriteLine($"[bench] L {workflow} m={m}: {result.MsPerMessage:0.00} ms/msg, {result.BytesPerMessage:0} bytes of WAL records/msg (+ {result.FullPageBytesPerMessage:0} of full-page images)");
    }

Console.WriteLine($"[bench] silo peak working set through F {siloPeakThroughF:0} MB, at the end (after L) {engine.SiloPeakMegabytes:0} MB");
var report = new Report(options, command, measurements, fire, longRuns, siloPeakThroughF, urgent, create);
Console.WriteLine();
Console.WriteLine(report.Table());
await report.WriteAsync(options.Output);
Console.WriteLine($"\n[bench] written to {options.Output}");
return (create is null || create.Created == create.N) && fire.All(f => f.Completed == f.N) && (urgent is null || urgent.RoutineCompleted == urgent.Routine && double.IsFinite(urgent.EmergencySeconds)) ? 0 : 1;
