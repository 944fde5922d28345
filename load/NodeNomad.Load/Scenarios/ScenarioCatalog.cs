using NodeNomad.Load.Faults;

namespace NodeNomad.Load.Scenarios;

/// <summary>The scenarios, by name, at each profile.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<string> Names { get; } =
        ["write-heavy", "read-heavy", "mixed", "hot-keys", "large-values", "ttl-churn", "migration-under-load", "soak", "chaos"];

    /// <summary>The default mix of <c>mixed</c>; <c>--mix</c> replaces it.</summary>
    public static OperationMix MixedDefault { get; } = new(Read: 40, StaleRead: 10, Write: 30, CompareAndSet: 10, Delete: 5, Scan: 5);

    /// <summary>The scenario <paramref name="name"/> at <paramref name="profile"/>, or null with the reason.</summary>
    public static Scenario? Find(string name, LoadProfile profile, out string? error)
    {
        error = null;
        var ci = profile == LoadProfile.Ci;
        var keys = ci ? 2_000 : 100_000;
        var preload = ci ? 1_000 : 20_000;
        var timeout = TimeSpan.FromSeconds(ci ? 5 : 10);
        var checkKeys = ci ? 2_000 : 20_000;
        var standard = Standard(ci, 1.0);
        Scenario Make(string summary, OperationMix mix, IReadOnlyList<LoadPhase> phases, int nodes = 3, KeyDistribution distribution = KeyDistribution.Uniform,
            int valueBytes = 100, int? ttl = null, IReadOnlyList<TimedFault>? faults = null, int? keyCount = null, int? preloaded = null) =>
            new(name, summary, nodes, Shards: 4, keyCount ?? keys, preloaded ?? preload, distribution, mix, valueBytes, ttl, phases, faults ?? [], timeout, checkKeys);

        switch (name)
        {
            case "write-heavy":
                return Make("90% writes, 10% linearizable reads, uniform keys.", new OperationMix(10, 0, 90, 0, 0, 0), standard);
            case "read-heavy":
                return Make("60% linearizable reads, 35% stale reads, 5% writes, uniform keys.", new OperationMix(60, 35, 5, 0, 0, 0), standard);
            case "mixed":
                return Make("reads (linearizable and stale), writes, compare-and-sets, deletes and scans, uniform keys.", MixedDefault, standard);
            case "hot-keys":
                return Make("70% reads, 25% writes, 5% compare-and-sets on Zipfian keys (θ 0.99): a few keys take most of the load.",
                    new OperationMix(70, 0, 25, 5, 0, 0), standard, distribution: KeyDistribution.Zipfian, keyCount: ci ? 10_000 : 100_000);
            case "large-values":
                return Make("half writes, half reads of 64 KiB values.", new OperationMix(50, 0, 50, 0, 0, 0), Standard(ci, 0.25),
                    valueBytes: 64 * 1024, keyCount: ci ? 500 : 5_000, preloaded: ci ? 200 : 2_000);
            case "ttl-churn":
                return Make("writes with a short TTL and reads of the same keys, which expire under the load (a read of an expired key is a not-found, not an error).",
                    new OperationMix(50, 0, 50, 0, 0, 0), standard, ttl: ci ? 3 : 10);
            case "migration-under-load":
                return Make("mixed reads, writes and compare-and-sets on 4 nodes while a replica of a shard moves to the node that holds none (POST /api/v1/cluster/migrate).",
                    new OperationMix(50, 0, 40, 10, 0, 0), MigrationPhases(ci), nodes: 4,
                    faults: [new TimedFault(TimeSpan.FromSeconds(ci ? 8 : 30), new ShardMigration(TimeSpan.FromSeconds(ci ? 60 : 300)))]);
            case "chaos":
                return new Scenario(name,
                    "linearizable reads and writes of unique values on 3 nodes, each run as its own Unix user, through rounds of faults "
                    + "(SIGKILL and restart, SIGSTOP, partitions: isolation, one-way, bridge; and in the full profile a node's Raft messages delayed and dropped); the client history is judged by the linearizability checker.",
                    Nodes: 3, Shards: 2, Keys: 24, PreloadedKeys: 0, KeyDistribution.Uniform, new OperationMix(55, 0, 45, 0, 0, 0), ValueBytes: 16, TtlSeconds: null,
                    [new LoadPhase("chaos", TimeSpan.FromSeconds(ci ? 32 : 140), new OpenLoad(60, 60, 16))], ChaosRounds(ci), TimeSpan.FromSeconds(2), LossCheckKeys: 24,
                    Chaos: true);
            case "soak":
                if (ci)
                {
                    error = "soak runs for 30 minutes and only with --profile full.";
                    return null;
                }

                return Make("the mixed load at a constant rate for 30 minutes.", MixedDefault,
                    [new LoadPhase("soak", TimeSpan.FromMinutes(30), new OpenLoad(400, 400, 128))]);
            default:
                error = $"unknown scenario '{name}'; the scenarios are {string.Join(", ", Names)}.";
                return null;
        }
    }

    /// <summary>Closed loop, then a constant rate, then a ramp; <paramref name="scale"/> scales the rates (large values are slower).</summary>
    private static LoadPhase[] Standard(bool ci, double scale) => ci
        ?
        [
            new LoadPhase("closed", TimeSpan.FromSeconds(15), new ClosedLoad(16)),
            new LoadPhase("constant", TimeSpan.FromSeconds(15), new OpenLoad(200 * scale, 200 * scale, 64)),
            new LoadPhase("ramp", TimeSpan.FromSeconds(15), new OpenLoad(100 * scale, 400 * scale, 64)),
        ]
        :
        [
            new LoadPhase("closed", TimeSpan.FromSeconds(60), new ClosedLoad(64)),
            new LoadPhase("constant", TimeSpan.FromSeconds(60), new OpenLoad(1000 * scale, 1000 * scale, 256)),
            new LoadPhase("ramp", TimeSpan.FromSeconds(60), new OpenLoad(200 * scale, 2000 * scale, 256)),
        ];

    /// <summary>
    /// The ci profile's one round: node-1 isolated, then node-2 killed and restarted. The full profile's two rounds add
    /// a paused node, a one-way cut and a bridge, each fault healed before the next begins.
    /// </summary>
    private static TimedFault[] ChaosRounds(bool ci)
    {
        var span = TimeSpan.FromSeconds(6);
        IFault[] round =
        [
            new Partition(PartitionKind.Isolate, 0, span),
            new NodeKill(1, span),
        ];
        IFault[] full =
        [
            new NodeKill(0, span),
            new NodePause(1, span),
            new Partition(PartitionKind.Isolate, 2, span),
            new Partition(PartitionKind.OneWay, 0, span),
            new Partition(PartitionKind.Bridge, 1, span),
            new NodeKill(2, span),
            new NodePause(0, span),
            new Partition(PartitionKind.Isolate, 1, span),
            new Partition(PartitionKind.OneWay, 2, span),
            new Partition(PartitionKind.Bridge, 0, span),
            new TransportDelay(1, DelayMs: 300, Loss: 0.2, span),
        ];
        // A fault starts every 12 s: 6 s in force, up to 6 s for the cluster to settle (a restart takes a few).
        return [.. (ci ? round : full).Select((fault, i) => new TimedFault(TimeSpan.FromSeconds(4 + (12 * i)), fault))];
    }

    /// <summary>A constant rate long enough for the move to start, run and settle within it.</summary>
    private static LoadPhase[] MigrationPhases(bool ci) => ci
        ? [new LoadPhase("constant", TimeSpan.FromSeconds(40), new OpenLoad(150, 150, 64))]
        : [new LoadPhase("constant", TimeSpan.FromSeconds(180), new OpenLoad(600, 600, 256))];
}
