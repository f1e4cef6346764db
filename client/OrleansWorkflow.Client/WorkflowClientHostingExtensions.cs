using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansWorkflow.Client;
using OrleansWorkflow.Messaging;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the OrleansWorkflow client in an app's own host (ASP.NET Core, a worker service).</summary>
public static class WorkflowClientHostingExtensions
{
    /// <summary>
    /// Adds a <see cref="WorkflowClient"/> singleton to the app's services: an Orleans client of the app's host
    /// (<c>UseOrleansClient</c>), connected to the engine's silos when the host starts, and a publisher to the engine's
    /// broker. Settings come from the app's configuration under the keys a silo reads (see
    /// <see cref="WorkflowClientOptions.FromConfiguration"/>), then from <paramref name="configure"/>; bad ones throw
    /// here, all named in one error.
    /// </summary>
    public static IHostApplicationBuilder AddOrleansWorkflowClient(this IHostApplicationBuilder builder, Action<WorkflowClientOptions>? configure = null)
    {
        var options = WorkflowClientOptions.FromConfiguration(builder.Configuration);
        configure?.Invoke(options);
        options.Validate();
        WorkflowClientConnection.AddOrleansClient(builder, options);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new QueuePublisher(options.RabbitMq, sp.GetRequiredService<ILogger<QueuePublisher>>()));
        builder.Services.AddSingleton(sp => new WorkflowClient(sp.GetRequiredService<IClusterClient>(), sp.GetRequiredService<QueuePublisher>(), options.Originator));
        return builder;
    }
}
