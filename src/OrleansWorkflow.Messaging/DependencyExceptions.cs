using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OrleansWorkflow.Messaging;

/// <summary>
/// Lets Orleans carry the exceptions of the engine's dependencies between silos and clients as what they are. By default
/// it serializes exceptions of Microsoft, System and Azure types only: an NpgsqlException thrown in one silo's grain
/// reached the caller in another as a CodecNotFoundException, which no longer said "the database is unreachable", so
/// the delivery counted it as a failure and dead-lettered healthy messages during a database failover.
/// </summary>
internal static class DependencyExceptions
{
    private static readonly string[] Namespaces = ["Npgsql", "RabbitMQ", "Renci"];

    public static IServiceCollection AddDependencyExceptionSerialization(this IServiceCollection services) =>
        services.Configure<ExceptionSerializationOptions>(options =>
        {
            foreach (var prefix in Namespaces)
                options.SupportedNamespacePrefixes.Add(prefix);
        });
}
