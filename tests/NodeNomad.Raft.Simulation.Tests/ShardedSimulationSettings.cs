namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// The shape of one sharded run, drawn from its seed: the Raft and network settings of the single-group simulator
/// (<see cref="SimulationSettings"/>, whose <see cref="SimulationSettings.Replicas"/> is the meta group's voter
/// count here), plus the shards, the clients and how often a replica moves.
/// </summary>
internal sealed record ShardedSimulationSettings
{
    /// <summary>Nodes in the cluster; each hosts a replica of the meta group and of some shards.</summary>
    public const int Nodes = 5;

    /// <summary>Replicas per shard.</summary>
    public const int ReplicationFactor = 3;

    /// <summary>Raft, network, timing and fault settings, shared with the single-group simulator.</summary>
    public required SimulationSettings Raft { get; init; }

    /// <summary>Shard groups (besides the meta group).</summary>
    public required int Shards { get; init; }

    /// <summary>Keys the clients use per shard.</summary>
    public required int KeysPerShard { get; init; }

    public required int Clients { get; init; }

    /// <summary>Mean milliseconds between the end of one replica move and the start of the next.</summary>
    public required int MoveInterval { get; init; }

    /// <summary>Mean milliseconds between a client's refreshes of its cached shard map.</summary>
    public required int MapRefreshInterval { get; init; }

    /// <summary>Chance that a packet comes apart on the way, its messages then dropped, duplicated and delayed one by one.</summary>
    public required double SplitRate { get; init; }

    public long FaultPhase => Raft.FaultPhase;

    public static ShardedSimulationSettings Draw(Random random, long faultPhase)
    {
        ArgumentNullException.ThrowIfNull(random);
        var raft = SimulationSettings.Draw(random, HostFlaw.None, faultPhase);
        return new ShardedSimulationSettings
        {
            Raft = raft,
            Shards = random.Next(4, 9),
            KeysPerShard = random.Next(1, 3),
            Clients = random.Next(3, 7),
            MoveInterval = random.Next(100, 800),
            MapRefreshInterval = random.Next(200, 2_000),
            SplitRate = random.NextDouble() * 0.2,
        };
    }

    public override string ToString() =>
        $"{Nodes} nodes, {Shards} shards of {ReplicationFactor} replicas, meta group of {Raft.Replicas} voters, " +
        $"election {Raft.ElectionTick} ticks, heartbeat {Raft.HeartbeatTick}, pre-vote {Raft.PreVote}, check-quorum {Raft.CheckQuorum}, " +
        $"inflight {Raft.MaxInflightMessages}, append bytes {Raft.MaxBytesPerAppend}, drop {Raft.DropRate:P1}, duplicate {Raft.DuplicateRate:P1}, " +
        $"delay <= {Raft.MaxDelay} ms ({Raft.SlowRate:P1} up to ten times), packets split {SplitRate:P1}, snapshot every {Raft.SnapshotEvery}, " +
        $"a fault every ~{Raft.FaultInterval} ms, a move every ~{MoveInterval} ms, {Clients} clients on {KeysPerShard} keys per shard, map refresh ~{MapRefreshInterval} ms";
}
