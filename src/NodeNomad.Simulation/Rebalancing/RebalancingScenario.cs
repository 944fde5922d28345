using NodeNomad.Core.Cluster;

namespace NodeNomad.Simulation.Rebalancing;

/// <summary>What a <see cref="RebalancingSimulation"/> runs: the cluster, the rebalancer's settings, the load and whether a node joins.</summary>
public sealed record RebalancingScenario
{
    /// <summary>Nodes that found the cluster.</summary>
    public int Nodes { get; init; } = 4;

    /// <summary>Shards, each of three replicas.</summary>
    public int Shards { get; init; } = 16;

    /// <summary>The rebalancer's settings, set by the simulated operator once the cluster exists.</summary>
    public RebalancerSettings Rules { get; init; } = RebalancerSettings.Default;

    /// <summary>The clients' requests, made from the seed's randomness.</summary>
    public required Func<Random, ShardLoad> Load { get; init; }

    /// <summary>
    /// How much each shard's measured rate strays from the model's, at random second by second (0.1: up to ±10 %), as
    /// real counts over one second do.
    /// </summary>
    public double Noise { get; init; }

    /// <summary>When one more node starts and joins the cluster (virtual milliseconds), or null for none.</summary>
    public long? JoinAt { get; init; }

    /// <summary>
    /// The scenario the rebalancing seeds started with: four nodes, sixteen shards, writes balanced with a five-second
    /// interval and a 15-second cooldown; most shards are quiet, about one in four is hot (eight times the quietest).
    /// </summary>
    public static RebalancingScenario Skewed { get; } = new()
    {
        Rules = new(IntervalSeconds: 5, Dimension: RebalancerDimensions.Writes, Threshold: 1.25, Hysteresis: 1.10, CooldownSeconds: 15, MaxConcurrentMoves: 1),
        Load = random => new FixedShardLoad([.. Enumerable.Range(0, 16).Select(_ => random.Next(4) == 0 ? 40.0 : random.Next(1, 4) * 5.0)]),
    };
}
