namespace NodeNomad.Core.Cluster;

/// <summary>What one node's replica of a shard carries, as the rebalancer reads it.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Leads">Whether this replica leads the shard's group.</param>
/// <param name="ReadsPerSecond">Reads it serves per second.</param>
/// <param name="WritesPerSecond">Writes it commits per second (as leader).</param>
/// <param name="Bytes">Bytes of keys and values it holds.</param>
/// <param name="Keys">Keys it holds.</param>
public sealed record RebalancerReplicaLoad(int ShardId, bool Leads, double ReadsPerSecond, double WritesPerSecond, long Bytes, long Keys)
{
    /// <summary>Its load in <paramref name="dimension"/>.</summary>
    public double In(string dimension) => dimension switch
    {
        RebalancerDimensions.Reads => ReadsPerSecond,
        RebalancerDimensions.Writes => WritesPerSecond,
        RebalancerDimensions.Bytes => Bytes,
        RebalancerDimensions.Keys => Keys,
        RebalancerDimensions.Leaderships => Leads ? 1 : 0,
        _ => ReadsPerSecond + WritesPerSecond,
    };
}
