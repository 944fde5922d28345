namespace NodeNomad.Core.Cluster;

/// <summary>
/// The load of every node and replica the rebalancer decides by: gathered by the meta leader's shell from its peers'
/// reports (or made up by the simulator), and smoothed by the node core before a decision.
/// </summary>
/// <param name="Nodes">Every node that reported, or is known to be down.</param>
public sealed record RebalancerLoad(IReadOnlyList<RebalancerNodeLoad> Nodes)
{
    /// <summary>No load known.</summary>
    public static RebalancerLoad None { get; } = new([]);

    /// <summary>The load of <paramref name="nodeId"/>, or null when it did not report.</summary>
    public RebalancerNodeLoad? Node(string nodeId) => Nodes.FirstOrDefault(n => n.NodeId == nodeId);

    /// <summary>The node whose replica leads shard <paramref name="shardId"/>, or null.</summary>
    public string? LeaderOf(int shardId) => Nodes.FirstOrDefault(n => n.Replica(shardId) is { Leads: true })?.NodeId;
}
