namespace OrleansWorkflow.Tests.Infrastructure;

/// <summary>
/// The test lanes. A test marked <c>[Trait(Lanes.Category, Lanes.ServiceFree)]</c> needs no RabbitMQ, PostgreSQL,
/// sshd, Slurm, browser or built program: <c>./test.sh --fast</c> runs those alone, with no service started, and
/// fails any that reaches for one. Everything else, and the whole suite in CI, runs against the real services.
/// </summary>
public static class Lanes
{
    /// <summary>The trait's name.</summary>
    public const string Category = "Category";

    /// <summary>The fast lane: no external service.</summary>
    public const string ServiceFree = "ServiceFree";
}
