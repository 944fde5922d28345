namespace NodeNomad.Core.Cluster;

/// <summary>A node as the placement ring sees it: its name and its capacity in whole units.</summary>
public sealed record PlacementNode
{
    /// <summary>A node named <paramref name="nodeId"/> with <paramref name="weight"/> units of capacity.</summary>
    /// <exception cref="ArgumentException">The id is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The weight is below 1.</exception>
    public PlacementNode(string nodeId, int weight = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        NodeId = nodeId;
        Weight = weight;
    }

    /// <summary>The node's name, as in <see cref="ClusterMember.NodeId"/>.</summary>
    public string NodeId { get; }

    /// <summary>
    /// The node's capacity relative to the others: it gets this many times the ring tokens, and so about this
    /// many times the replicas, of a node of weight 1.
    /// </summary>
    public int Weight { get; }
}
