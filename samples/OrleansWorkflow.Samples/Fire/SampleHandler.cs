using Microsoft.Extensions.Options;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansWorkflow.Handlers;

namespace OrleansWorkflow.Samples.Fire;

/// <summary>What the fire sample's handlers share: the pretended work and the transcript the original printed.</summary>
public abstract class SampleHandler : HandlerGrain
{
    protected FireSettings Settings => ServiceProvider.GetService<IOptions<FireSettings>>()?.Value ?? FireSettings.Default;

    protected Task WorkAsync(IHandlerContext context) =>
        Settings.WorkTime > TimeSpan.Zero ? Task.Delay(Settings.WorkTime, context.CancellationToken) : Task.CompletedTask;

    private readonly StringBuilder _transcript = new();

    /// <summary>The handler's work; lines it says are printed together when it ends, so handlers running at once do not interleave.</summary>
    protected abstract Task RunAsync(JsonObject message, IHandlerContext context);

    protected sealed override async Task HandleAsync(JsonObject message, IHandlerContext context)
    {
        _transcript.Clear();
        try
        {
            await RunAsync(message, context);
        }
        finally
        {
            if (Settings.PrintTranscript)
                Console.Write(_transcript.ToString());
        }
    }

    protected void Say(string line) => _transcript.AppendLine(line);
}
