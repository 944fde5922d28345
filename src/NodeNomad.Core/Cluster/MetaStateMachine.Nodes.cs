namespace NodeNomad.Core.Cluster;

// Node membership: registering, draining, bringing back, removing. A node's own registration never changes its
// membership — an operator's drain outlives the node's restarts — and a removed node stays removed.
public sealed partial class MetaStateMachine
{
    /// <summary>Why node <paramref name="nodeId"/> cannot be removed from <paramref name="map"/>, or null when it can.</summary>
    public static string? RemovalRefusal(ClusterMap map, string nodeId)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Node(nodeId) is not { } node)
        {
            return $"{nodeId} is not a node of the cluster.";
        }

        if (node.Membership == NodeRecord.Removed)
        {
            return $"{nodeId} is already removed.";
        }

        var held = map.Shards.Where(s => s.IsHeldBy(nodeId)).Select(s => $"shard-{s.Id}").ToList();
        if (held.Count > 0)
        {
            return $"{nodeId} still holds replicas of {string.Join(", ", held)}: drain it first.";
        }

        return map.Nodes.Count(n => n.Membership != NodeRecord.Removed) <= 1 ? $"{nodeId} is the last node of the cluster." : null;
    }

    private string? Register(long index, RegisterNode register)
    {
        var map = Map;
        var node = register.Node;
        if (map.Node(node.Id) is { } known)
        {
            if (known.Membership == NodeRecord.Removed)
            {
                return $"{node.Id} was removed from the cluster; it cannot register again under that name.";
            }

            node = node with { Membership = known.Membership };
        }

        Map = WithNode(map, node, index);
        return null;
    }

    private string? Drain(long index, DrainNode drain)
    {
        var map = Map;
        if (map.Node(drain.NodeId) is not { } node)
        {
            return $"{drain.NodeId} is not a node of the cluster.";
        }

        if (node.Membership != NodeRecord.Active)
        {
            return $"{drain.NodeId} is {node.Membership}, not active.";
        }

        Map = WithNode(map, node with { Membership = NodeRecord.Draining }, index);
        return null;
    }

    private string? Undrain(long index, UndrainNode undrain)
    {
        var map = Map;
        if (map.Node(undrain.NodeId) is not { } node)
        {
            return $"{undrain.NodeId} is not a node of the cluster.";
        }

        if (node.Membership is not (NodeRecord.Draining or NodeRecord.Drained))
        {
            return $"{undrain.NodeId} is {node.Membership}, neither draining nor drained.";
        }

        Map = WithNode(map, node with { Membership = NodeRecord.Active }, index);
        return null;
    }

    private string? CompleteDrain(long index, CompleteDrain drained)
    {
        var map = Map;
        if (map.Node(drained.NodeId) is not { Membership: NodeRecord.Draining } node)
        {
            return $"{drained.NodeId} is not draining.";
        }

        if (map.Shards.FirstOrDefault(s => s.IsHeldBy(drained.NodeId)) is { } held)
        {
            return $"{drained.NodeId} still holds a replica of shard-{held.Id}.";
        }

        Map = WithNode(map, node with { Membership = NodeRecord.Drained }, index);
        return null;
    }

    private string? Remove(long index, RemoveNode remove)
    {
        var map = Map;
        if (RemovalRefusal(map, remove.NodeId) is { } refusal)
        {
            return refusal;
        }

        Map = WithNode(map, map.Node(remove.NodeId)! with { Membership = NodeRecord.Removed }, index);
        return null;
    }

    private static ClusterMap WithNode(ClusterMap map, NodeRecord node, long index) => map with
    {
        Nodes = [.. map.Nodes.Where(n => n.Id != node.Id).Append(node).OrderBy(n => n.Id, StringComparer.Ordinal)],
        Version = index,
    };
}
