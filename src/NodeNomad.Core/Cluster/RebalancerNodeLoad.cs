namespace NodeNomad.Core.Cluster;

/// <summary>What one node carries, as the rebalancer reads it.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="IsUp">Whether it answers (a node that does not is never a target).</param>
/// <param name="Replicas">Its shard replicas.</param>
public sealed record RebalancerNodeLoad(string NodeId, bool IsUp, IReadOnlyList<RebalancerReplicaLoad> Replicas)
{
    /// <summary>Its load in <paramref name="dimension"/>.</summary>
    public double In(string dimension) => Replicas.Sum(r => r.In(dimension));

    /// <summary>Its replica of shard <paramref name="shardId"/>, or null.</summary>
    public RebalancerReplicaLoad? Replica(int shardId) => Replicas.FirstOrDefault(r => r.ShardId == shardId);
}
