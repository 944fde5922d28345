using NodeNomad.Load.Faults;

namespace NodeNomad.Load.Scenarios;

/// <summary>A named load against a store: what operations, on which keys, how offered over time, and what faults beside it.</summary>
/// <param name="Name">As given on the command line, e.g. <c>mixed</c>.</param>
/// <param name="Summary">One sentence for the report.</param>
/// <param name="Nodes">NodeNomad nodes to start (etcd always has 3 members).</param>
/// <param name="Shards">NodeNomad's <c>SHARD_COUNT</c> (replication is 3).</param>
/// <param name="Keys">The key space: operations pick among this many keys.</param>
/// <param name="PreloadedKeys">Keys written before the load, so that reads find values.</param>
/// <param name="Distribution">How keys are picked.</param>
/// <param name="Mix">The share of each operation.</param>
/// <param name="ValueBytes">Size of every value written.</param>
/// <param name="TtlSeconds">When set, every write expires this long after.</param>
/// <param name="Phases">The load, one phase after another.</param>
/// <param name="Faults">What is done to the store during the load, and when.</param>
/// <param name="Timeout">A client gives up on an operation after this long (counted as a timeout).</param>
/// <param name="LossCheckKeys">At most this many keys are read back after the load to check that no acknowledged write was lost.</param>
/// <param name="Chaos">Records the client history (unique values) for the linearizability checker, and runs NodeNomad's nodes as Unix users of their own.</param>
internal sealed record Scenario(
    string Name,
    string Summary,
    int Nodes,
    int Shards,
    int Keys,
    int PreloadedKeys,
    KeyDistribution Distribution,
    OperationMix Mix,
    int ValueBytes,
    int? TtlSeconds,
    IReadOnlyList<LoadPhase> Phases,
    IReadOnlyList<TimedFault> Faults,
    TimeSpan Timeout,
    int LossCheckKeys,
    bool Chaos = false)
{
    /// <summary>How long the linearizability checker may search a chaos run's history; without a verdict by then the run is not sound.</summary>
    public TimeSpan HistoryLimit { get; init; } = TimeSpan.FromSeconds(120);

    public TimeSpan LoadDuration => Phases.Aggregate(TimeSpan.Zero, (sum, phase) => sum + phase.Duration);

    /// <summary>The most senders any phase uses.</summary>
    public int Workers => Phases.Max(p => p.Shape.Workers);
}
