namespace OrleansWorkflow.Bench;

/// <summary>What one benchmark run measures. Defaults are the documented run; --smoke is the tiny CI check.</summary>
public sealed record BenchOptions
{
    /// <summary>Messages per R1, R2 and E1 measurement.</summary>
    public int Messages { get; init; } = 20_000;

    /// <summary>Rounds of R1, R2, E1, interleaved (R1 R2 E1 R1 R2 E1 ...); the table shows each scenario's median.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Hops of the E1 chain: each incident's message passes this many handlers.</summary>
    public int ChainLength { get; init; } = 4;

    /// <summary>Body size of R1/R2 messages; E1's messages are padded to the same size.</summary>
    public int BodyBytes { get; init; } = 256;

    public int[] FireIncidents { get; init; } = [100, 1_000, 10_000];

    /// <summary>L: one incident fed this many messages, for each figure.</summary>
    public int[] LongIncidents { get; init; } = [100, 10_000];

    /// <summary>C: incidents created in batches (WorkflowClient.CreateIncidents), nothing else (0: no C).</summary>
    public int CreateIncidents { get; init; } = 10_000;

    /// <summary>U: routine fire incidents started before the one Emergency (0: no U).</summary>
    public int UrgentBacklog { get; init; } = 10_000;

    public string Output { get; init; } = "bench/results/latest.json";

    /// <summary>RabbitMQ prefetch and consumer concurrency for the floors and the engine alike (engine defaults unless given).</summary>
    public ushort? Prefetch { get; init; }
    public ushort? Concurrency { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--smoke" => options with { Messages = 200, Rounds = 1, FireIncidents = [10], LongIncidents = [20], UrgentBacklog = 10, CreateIncidents = 20, Output = Path.Combine(Path.GetTempPath(), "owf-bench-smoke.json") },
                "--messages" => options with { Messages = Positive(Value(), "--messages") },
                "--rounds" => options with { Rounds = Positive(Value(), "--rounds") },
                "--chain" => options with { ChainLength = Positive(Value(), "--chain") },
                "--fire" => options with { FireIncidents = [.. Value().Split(',').Select(n => Positive(n, "--fire"))] },
                "--long" => options with { LongIncidents = [.. Value().Split(',').Select(n => Positive(n, "--long"))] },
                "--urgent" => options with { UrgentBacklog = int.TryParse(Value(), out var n) && n >= 0 ? n : throw new ArgumentException("--urgent takes the routine backlog, a whole number (0: no U).") },
                "--create" => options with { CreateIncidents = int.TryParse(Value(), out var c) && c >= 0 ? c : throw new ArgumentException("--create takes how many incidents C creates, a whole number (0: no C).") },
                "--out" => options with { Output = Value() },
                "--prefetch" => options with { Prefetch = (ushort)Positive(Value(), "--prefetch") },
                "--concurrency" => options with { Concurrency = (ushort)Positive(Value(), "--concurrency") },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --smoke, --messages N, --rounds N, --chain N, --fire N[,N...], --long M[,M...], --urgent N, --create N, --prefetch N, --concurrency N, --out FILE."),
            };
        }
        return options;
    }

    private static int Positive(string text, string option) =>
        int.TryParse(text, out var value) && value > 0 ? value : throw new ArgumentException($"{option} takes a positive whole number, not \"{text}\".");
}
