using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansWorkflow.Client;
using OrleansWorkflow.Handlers;
using OrleansWorkflow.Hosting;
using OrleansWorkflow.Incidents;
using OrleansWorkflow.Messaging;
using OrleansWorkflow.Testing.Engine;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Machines;
using OrleansWorkflow.Time;
using OrleansWorkflow.Wire;

namespace OrleansWorkflow.Testing;

/// <summary>
/// An OrleansWorkflow engine in this process, to test your handlers: the engine's own grains and rules (one message
/// at a time per handler and incident, redeliveries recognised, failing handlers retried then dead-lettered, joins,
/// sends for later, deadlines), on storage and queues in memory and a fake clock of workflow time. It needs no
/// broker, database or HPC machine. A silo starts in about a second: start one per test class, and each scenario
/// then runs in milliseconds.
/// <code>
/// await using var engine = await WorkflowTestEnvironment.StartAsync(workflow => workflow.AddHandlersFrom(typeof(MyHandler).Assembly));
/// var incident = await engine.Client.CreateIncident("test fire", "FIRE");
/// await engine.SendAsync(incident, "fire_terrain", new JsonObject { ["terrain"] = "..." });
/// await engine.RunUntilQuietAsync();
/// Assert.Equal(IncidentStatus.Completed, (await engine.Client.GetIncident(incident)).Status);
/// </code>
/// </summary>
public sealed class WorkflowTestEnvironment : IAsyncDisposable
{
    /// <summary>The most deliveries one <see cref="RunUntilQuietAsync"/> makes before it says the workflow does not go quiet.</summary>
    public const int MaxDeliveries = 10_000;

    private readonly IHost _host;
    private readonly MemoryQueues _queues;
    private readonly MemoryEngineStore _store;
    private readonly IGrainFactory _grains;
    private readonly FakeMachines _machines;

    private WorkflowTestEnvironment(IHost host)
    {
        _host = host;
        _queues = host.Services.GetRequiredService<MemoryQueues>();
        _store = host.Services.GetRequiredService<MemoryEngineStore>();
        _grains = host.Services.GetRequiredService<IGrainFactory>();
        _machines = host.Services.GetRequiredService<FakeMachines>();
        Clock = host.Services.GetRequiredKeyedService<FakeTimeProvider>(WorkflowClock.Key);
        Client = new WorkflowClient(_grains, _queues, "test", owned: null);
    }

    /// <summary>Creates, sends to, reads and ends incidents, as a client app's <see cref="WorkflowClient"/> does; its messages go to this engine's queues in memory.</summary>
    public WorkflowClient Client { get; }

    /// <summary>Workflow time: it moves only when the test moves it (<see cref="AdvanceAsync"/>).</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>
    /// Starts an engine whose handlers <paramref name="configure"/> registers (AddHandler, AddHandlersFrom,
    /// AddWorkflowVersions, AddDeadlineQueue...). Workflow:RetryBackoff is 1 ms unless configured: a failing
    /// handler's retries take no wall time.
    /// </summary>
    public static async Task<WorkflowTestEnvironment> StartAsync(Action<IWorkflowBuilder> configure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        var workflow = builder.AddOrleansWorkflow(options => options.RetryBackoff = TimeSpan.FromMilliseconds(1));
        AddInMemoryEngine(workflow);
        configure(workflow);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new WorkflowTestEnvironment(host);
    }

    /// <summary>Storage, queues, membership and clock of a test host: all in this process.</summary>
    private static void AddInMemoryEngine(IWorkflowBuilder workflow)
    {
        var services = workflow.Services;
        var store = new MemoryEngineStore();
        services.AddSingleton(store);
        services.AddSingleton<IIncidentCatalog>(store);
        services.AddSingleton<IIncidentJournal>(store);
        services.AddSingleton<IHandlerJournal>(store);
        services.AddSingleton<IStepAttempts>(store);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        services.AddKeyedSingleton(WorkflowClock.Key, clock);
        services.AddKeyedSingleton<TimeProvider>(WorkflowClock.Key, clock);
        services.AddSingleton(sp => new MemoryQueues(sp.GetRequiredService<HandlerRegistry>(), sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<IOptions<WorkflowOptions>>().Value, clock, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IMessagePublisher>(sp => sp.GetRequiredService<MemoryQueues>());
        services.AddSingleton<ClusterMembershipConfigured>();
        var machines = new FakeMachines();
        services.AddSingleton(machines);
        services.AddSingleton<IMachineDrivers>(machines);

        var silo = workflow.Silo;
        silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "owf-test", clusterId: "owf-test-" + Guid.NewGuid().ToString("N"));
        silo.AddMemoryGrainStorage(WorkflowStorage.Name);
        silo.UseInMemoryReminderService();
        services.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Publishes <paramref name="message"/> (its IncidentID set to <paramref name="incidentId"/>) to
    /// <paramref name="queue"/>, as sent by <paramref name="originator"/> (a handler's queue, when the test stands in
    /// for that handler; the client's name when null); returns its MessageID. <see cref="RunUntilQuietAsync"/> delivers it.
    /// </summary>
    public Task<string> SendAsync(Guid incidentId, string queue, JsonObject message, string? originator = null)
    {
        message[WireContract.IncidentIdKey] = incidentId.ToString();
        return Client.SendNow(queue, message, originator ?? "test", CancellationToken.None);
    }

    /// <summary>Puts message <paramref name="messageId"/> in its queue once more, as a broker redelivers an unacknowledged message.</summary>
    public void Redeliver(string messageId) => _queues.Redeliver(messageId);

    /// <summary>
    /// Delivers every waiting message, and what the handlers send in turn, and polls the fake machines (submitting
    /// what handlers asked for, telling what the test made of their jobs), until nothing more happens; returns how
    /// many messages were delivered.
    /// </summary>
    public async Task<int> RunUntilQuietAsync(CancellationToken cancellationToken = default)
    {
        var delivered = 0;
        while (true)
        {
            delivered += await _queues.RunUntilQuietAsync(MaxDeliveries - delivered, cancellationToken);
            var published = _queues.Published.Count;
            foreach (var machine in _machines.Names)
                await _grains.GetGrain<IMachinePollerGrain>(machine).AsReference<IRemindable>().ReceiveReminder("poll", default);
            if (_queues.Published.Count == published)
                return delivered;
        }
    }

    /// <summary>The fake machine <paramref name="name"/> (added with <see cref="TestingExtensions.AddFakeMachine"/>), to script its jobs and read what was submitted.</summary>
    public FakeMachine Machine(string name) => _machines.Get(name);

    /// <summary>
    /// Moves workflow time on by <paramref name="by"/>: the schedules fire what is now due (Workflow:Schedules), what
    /// the incidents' timers hold that is now due (sends for later, join timeouts, deadlines) is sent and ensembles
    /// whose Within passed end, through the engine's own timers, and the workflow runs until quiet.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by, CancellationToken cancellationToken = default)
    {
        Clock.Advance(by);
        foreach (var schedule in _host.Services.GetRequiredService<IOptions<WorkflowOptions>>().Value.Schedules.Keys)
            await _grains.GetGrain<IScheduleGrain>(schedule).AsReference<IRemindable>().ReceiveReminder(ScheduleGrain.Tick, default);
        foreach (var incident in _store.Unfinished())
        {
            await _grains.GetGrain<IIncidentTimersGrain>(incident).AsReference<IRemindable>().ReceiveReminder("due", default);
            // An ensemble's Within; the grain of any other simulation id holds no ensemble and does nothing.
            foreach (var simulation in await _grains.GetGrain<IIncidentGrain>(incident).GetSimulations())
                if (!simulation.Status.IsFinished())
                    await _grains.GetGrain<IEnsembleGrain>(simulation.SimulationId).AsReference<IRemindable>().ReceiveReminder(EnsembleGrain.WithinReminder, default);
        }
        _queues.ReleaseHeld();
        await RunUntilQuietAsync(cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="queue"/> for the incident (as <paramref name="originator"/>, see <see cref="SendAsync"/>) and delivers that message alone
    /// (what the handler sends waits in its queues for <see cref="RunUntilQuietAsync"/>); returns what the engine kept of the run.
    /// </summary>
    public async Task<HandlerRun> HandleAsync(Guid incidentId, string queue, JsonObject message, string? originator = null, CancellationToken cancellationToken = default)
    {
        var messageId = await SendAsync(incidentId, queue, message, originator);
        var verdict = await _queues.DeliverOneAsync(messageId, cancellationToken);
        var entry = _store.AppendedEntryOf(incidentId, queue, messageId);
        var effects = entry?.Outbox ?? [];
        return new HandlerRun
        {
            Outcome = verdict.Outcome,
            DeadLetterReason = verdict.DeadLetterReason,
            Sent = [.. effects.Where(e => e.Kind == OutboxKind.Message).Select(e => new SentMessage(e.Queue!, JsonNode.Parse(e.Body!)!.AsObject()))],
            Scheduled = [.. effects.Where(e => e.Kind == OutboxKind.ScheduledMessage).Select(e => new ScheduledMessage(e.Queue!, JsonNode.Parse(e.Body!)!.AsObject(), e.DueAt!.Value))],
            Persisted = [.. (entry?.Documents ?? []).Select(d => JsonNode.Parse(d)!.AsObject())],
            Submitted = [.. effects.Where(e => e.Kind == OutboxKind.SubmitSimulation).SelectMany(e => e.Ensemble is { } ensemble ? Enumerable.Range(0, ensemble.Members.Count).Select(ensemble.MemberRequest) : e.Candidates ?? [e.Simulation!])],
            Joins = [.. (entry?.Joins ?? []).GroupBy(j => j.Join).Select(j => new JoinStep(j.Key, j.Any(e => e.Opened is not null),
                j.Select(e => e.Input).FirstOrDefault(i => i is not null), j.Any(e => e.FiredAt is not null), j.Any(e => e.TimedOut)))],
            Completed = effects.Any(e => e.Kind == OutboxKind.CompleteIncident),
            CancelledBecause = effects.FirstOrDefault(e => e.Kind == OutboxKind.CancelIncident)?.Reason,
        };
    }

    /// <summary>The messages published to <paramref name="queue"/> so far (any urgency), in order.</summary>
    public IReadOnlyList<SentMessage> SentTo(string queue) =>
        [.. _queues.Published.Where(m => WireContract.NodeOf(m.Queue) == queue && !WireContract.IsDeadLetterQueue(m.Queue))
            .Select(m => new SentMessage(queue, JsonNode.Parse(Encoding.UTF8.GetString(m.Body.Span))!.AsObject()))];

    /// <summary>The messages dead-lettered from <paramref name="queue"/> so far, with their reasons, in order.</summary>
    public IReadOnlyList<DeadLetter> DeadLettersOf(string queue) =>
        [.. _queues.Published.Where(m => m.Queue == WireContract.DeadLetterQueue(queue))
            .Select(m => new DeadLetter(Encoding.UTF8.GetString(m.Body.Span), m.Headers?.GetValueOrDefault(WireContract.ReasonHeader) as string ?? ""))];

    /// <summary>Stops the engine.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
