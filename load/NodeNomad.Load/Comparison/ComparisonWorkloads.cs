using System.Globalization;
using NodeNomad.Load.Faults;
using NodeNomad.Load.Scenarios;

namespace NodeNomad.Load.Comparison;

/// <summary>
/// What NodeNomad is measured beside etcd with: writes of 100-byte values, a new key per write, and linearizable reads
/// of 1,000 keys written first; and the chaos rounds, one per kind of fault. <c>compare-report</c> and
/// <c>bench-compare</c> both offer these loads.
/// </summary>
internal static class ComparisonWorkloads
{
    public const int ReadKeys = 1000;

    public const int ValueBytes = 100;

    /// <summary>Senders of a fixed-rate phase: enough that a store at the rate leaves none waiting.</summary>
    public const int OpenSenders = 256;

    /// <summary>The name of the phase that warms connections and code before the measured rows; it is left out of the tables.</summary>
    public const string WarmUp = "warm-up";

    /// <summary>How long each chaos round offers load; its fault starts at <see cref="FaultAt"/> and lasts <see cref="FaultSpan"/>.</summary>
    public static readonly TimeSpan RoundLoad = TimeSpan.FromSeconds(22);

    public static readonly TimeSpan FaultAt = TimeSpan.FromSeconds(4);

    public static readonly TimeSpan FaultSpan = TimeSpan.FromSeconds(6);

    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);

    /// <summary>One round per kind of fault, each on another node so that leaders and followers both take faults.</summary>
    public static IReadOnlyList<ChaosRound> ChaosRounds { get; } =
    [
        new("sigkill", "SIGKILL, restart on its data", new NodeKill(0, FaultSpan), NeedsRoot: false),
        new("sigstop", "SIGSTOP, then SIGCONT", new NodePause(1, FaultSpan), NeedsRoot: false),
        new("partition", "full partition (isolated node)", new Partition(PartitionKind.Isolate, 2, FaultSpan), NeedsRoot: true),
        new("one-way", "one-way partition", new Partition(PartitionKind.OneWay, 0, FaultSpan), NeedsRoot: true),
        new("bridge", "bridge partition", new Partition(PartitionKind.Bridge, 1, FaultSpan), NeedsRoot: true),
        new("transport", "Raft messages delayed and lost", new TransportDelay(1, DelayMs: 300, Loss: 0.2, FaultSpan), NeedsRoot: true),
    ];

    /// <summary>Writes only, each to a key no write used before.</summary>
    public static Scenario Writes(int nodes, int shards, IReadOnlyList<LoadPhase> phases) =>
        new("writes", "writes of 100-byte values, a new key per write.", nodes, shards, Keys: 1, PreloadedKeys: 0, KeyDistribution.Fresh,
            new OperationMix(0, 0, 100, 0, 0, 0), ValueBytes, TtlSeconds: null, phases, Faults: [], ClientTimeout, LossCheckKeys: 2000);

    /// <summary>Linearizable reads only, of <see cref="ReadKeys"/> keys written before the load.</summary>
    public static Scenario Reads(int nodes, int shards, IReadOnlyList<LoadPhase> phases) =>
        new("reads", "linearizable reads of 1,000 keys written first, picked uniformly.", nodes, shards, ReadKeys, ReadKeys, KeyDistribution.Uniform,
            new OperationMix(100, 0, 0, 0, 0, 0), ValueBytes, TtlSeconds: null, phases, Faults: [], ClientTimeout, LossCheckKeys: ReadKeys);

    /// <summary>A short warm-up, then 1, 16 and 64 closed-loop clients and a fixed rate, each for <paramref name="perRow"/>.</summary>
    public static LoadPhase[] Sweep(TimeSpan perRow, double rate) =>
    [
        new(WarmUp, TimeSpan.FromSeconds(2), new ClosedLoad(16)),
        new("1 client", perRow, new ClosedLoad(1)),
        new("16 clients", perRow, new ClosedLoad(16)),
        new("64 clients", perRow, new ClosedLoad(64)),
        new(FixedRate(rate), perRow, new OpenLoad(rate, rate, OpenSenders)),
    ];

    public static string FixedRate(double rate) => string.Create(CultureInfo.InvariantCulture, $"{rate:0} ops/s");

    /// <summary>The chaos scenario with <paramref name="round"/>'s fault alone, on a fresh cluster.</summary>
    public static Scenario Round(ChaosRound round)
    {
        var chaos = ScenarioCatalog.Find("chaos", LoadProfile.Ci, out _)!;
        return chaos with
        {
            Name = $"chaos-{round.Key}",
            Summary = $"linearizable reads and writes of unique values on 3 nodes, each run as its own Unix user, through one fault: {round.Kind}; the client history is judged by the linearizability checker.",
            Phases = [new LoadPhase("chaos", RoundLoad, chaos.Phases[0].Shape)],
            Faults = [new TimedFault(FaultAt, round.Fault)],
        };
    }
}
