using NodeNomad.Raft;

namespace NodeNomad.Simulation;

/// <summary>What a seed draws for one run of the real node core: the cluster's shape, the network and disks, the faults.</summary>
public sealed record CoreSimulationSettings(
    int Shards,
    int ReplicationFactor,
    int SnapshotEntries,
    int Clients,
    int KeysPerShard,
    double DropRate,
    double DuplicateRate,
    int MaxDelay,
    int FaultInterval,
    long MaxSkew,
    long FaultPhase)
{
    /// <summary>
    /// How leaders confirm reads: ReadIndex (the node's setting) or leases. A lease run has no process pauses, which no
    /// lease survives (the paused leader's clock stops while its followers' run on).
    /// </summary>
    public ReadOnlyOption Reads { get; init; } = ReadOnlyOption.Safe;

    /// <summary>Whether the placement driver runs and the operator drains, brings back and kills nodes for long (see <c>CoreClusterSimulation.Placement.cs</c>).</summary>
    public bool Placement { get; init; }

    /// <summary>Nodes the cluster is created with; one more joins it during the run.</summary>
    public const int FoundingNodes = 4;

    /// <summary>Every node that takes part, the joiner included.</summary>
    public const int Nodes = FoundingNodes + 1;

    /// <summary>Virtual milliseconds between a node's ticks (its heartbeat interval).</summary>
    public const int TickPeriod = 10;

    /// <summary>Ticks of an election timeout.</summary>
    public const int ElectionTick = 10;

    /// <summary>How long a client waits for one attempt.</summary>
    public const int RequestTimeout = 400;

    /// <summary>After the faults heal, how long every shard has to serve a write and a read.</summary>
    public const long LivenessBound = 15_000;

    public static CoreSimulationSettings Draw(Random random, long faultPhase) => new(
        Shards: random.Next(1, 7),
        // One seed in four runs single-replica shards: a lone voter's rules (ReadIndex, counting itself) get exercised too.
        ReplicationFactor: random.Next(4) == 0 ? 1 : 3,
        SnapshotEntries: random.Next(5, 60),
        Clients: random.Next(2, 6),
        KeysPerShard: random.Next(1, 4),
        DropRate: random.NextDouble() * 0.05,
        DuplicateRate: random.NextDouble() * 0.03,
        MaxDelay: random.Next(1, 8),
        FaultInterval: random.Next(80, 400),
        MaxSkew: random.Next(0, 500),
        FaultPhase: faultPhase);
}
