using System.CommandLine;
using System.Diagnostics;
using OrleansWorkflow.Client;
using OrleansWorkflow.Incidents;

namespace OrleansWorkflow.Cli.Commands;

/// <summary>
/// owf watch: follows an incident until it ends, printing each stage as it starts and ends, and (on a terminal) a
/// progress line. Exits 0 when it completes, 3 when cancelled, 4 when it turns Error, 5 when --timeout passes.
/// </summary>
internal static class WatchCommand
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public static Command Create()
    {
        var incident = Cli.IncidentArgument();
        var timeout = new Option<TimeSpan?>("--timeout") { Description = "Give up after this long (like 00:10:00); no limit by default" };
        var command = new Command("watch", "Follow an incident live until it ends: each stage as it happens, with a progress line") { incident, timeout };
        command.Connected((parse, workflow, cancellationToken) =>
            WatchAsync(workflow, parse.GetValue(incident), parse.GetValue(timeout), cancellationToken));
        return command;
    }

    private static async Task<int> WatchAsync(WorkflowClient workflow, Guid incident, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var info = await workflow.GetIncident(incident);
        Console.WriteLine($"Watching incident {incident} \"{info.Name}\" ({info.Kind}); Ctrl+C stops watching, not the incident.");
        var printed = new Dictionary<(string Queue, string MessageId), StepOutcome>();
        IncidentStatus? status = null;
        var progress = new ProgressLine();

        void PrintStatusChange()
        {
            if (info.Status == status)
                return;
            progress.Print($"{Time(info.UpdatedAt)}  incident   {info.Status}{(info.Reason is null ? "" : $": {info.Reason}")}");
            status = info.Status;
        }

        while (true)
        {
            info = await workflow.GetIncident(incident);
            var steps = await workflow.GetSteps(incident);
            // A status that ends the incident is told after the steps that led to it; any other before them.
            if (!info.Status.IsFinished())
                PrintStatusChange();
            foreach (var step in steps)
            {
                var key = (step.Queue, step.MessageId);
                if (printed.TryGetValue(key, out var shown) && shown == step.Outcome)
                    continue;
                if (!printed.ContainsKey(key))
                    progress.Print($"{Time(step.StartedAt)}  started    {step.Queue}{(step.Originator is null ? "" : $" (from {step.Originator})")}");
                if (step.Outcome != StepOutcome.Processing)
                    progress.Print($"{Time(step.EndedAt ?? step.StartedAt)}  {step.Outcome.ToString().ToLowerInvariant(),-10} {step.Queue}" +
                                   $"{Seconds(step)}{(step.SentTo.Count > 0 ? " -> " + string.Join(", ", step.SentTo) : "")}{(step.Error is null ? "" : $": {step.Error}")}");
                printed[key] = step.Outcome;
            }
            PrintStatusChange();

            var running = steps.Where(s => s.Outcome == StepOutcome.Processing).Select(s => s.Queue).Distinct().ToList();
            var ended = steps.Count(s => s.Outcome != StepOutcome.Processing);
            progress.Show($"[{info.Status}] {ended} of {steps.Count} steps done{(running.Count > 0 ? ", running: " + string.Join(", ", running) : "")} · {clock.Elapsed.TotalSeconds:0} s");

            switch (info.Status)
            {
                case IncidentStatus.Completed:
                    progress.Print($"Incident {incident} Completed ({ended} steps, watched {clock.Elapsed.TotalSeconds:0.0} s).");
                    return ExitCodes.Done;
                case IncidentStatus.Cancelled:
                    progress.Print($"Incident {incident} was cancelled: {info.Reason}");
                    return ExitCodes.Cancelled;
                case IncidentStatus.Error:
                    progress.Print($"Incident {incident} is in Error: {info.Reason}. See owf dead-letters list <queue>.");
                    return ExitCodes.Error;
            }
            if (timeout is { } limit && clock.Elapsed > limit)
            {
                progress.Print($"Incident {incident} is still {info.Status} after {limit}; stopped watching.");
                return ExitCodes.TimedOut;
            }
            await Task.Delay(Poll, cancellationToken);
        }
    }

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("HH:mm:ss.f");

    private static string Seconds(IncidentStep step) => step.EndedAt is { } end ? $" ({(end - step.StartedAt).TotalSeconds:0.0} s)" : "";

    /// <summary>Event lines scroll; on a terminal one progress line stays below them and is rewritten in place.</summary>
    private sealed class ProgressLine
    {
        private readonly bool _terminal = !Console.IsOutputRedirected;
        private string _shown = "";

        public void Print(string line)
        {
            Clear();
            Console.WriteLine(line);
            Draw(_shown);
        }

        public void Show(string progress)
        {
            if (progress == _shown)
                return;
            Clear();
            Draw(_shown = progress);
        }

        private void Clear()
        {
            if (_terminal && _shown.Length > 0)
                Console.Write("\r" + new string(' ', _shown.Length) + "\r");
        }

        private void Draw(string progress)
        {
            if (_terminal && progress.Length > 0)
                Console.Write(progress);
        }
    }
}
