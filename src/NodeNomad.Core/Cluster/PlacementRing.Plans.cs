namespace NodeNomad.Core.Cluster;

public sealed partial class PlacementRing
{
    // Plans keep every node within max(⌈share⌉, 1.25 × share): the balance the cluster promises.
    private const int BalanceSlackNumerator = 5;
    private const int BalanceSlackDenominator = 4;

    /// <summary>
    /// The moves that bring <paramref name="joining"/> into a cluster of this ring's nodes placed as
    /// <paramref name="current"/> (shard id → replica node ids): the joining node receives its whole share,
    /// ⌊share⌋, and every node ends within max(⌈share⌉, 1.25 × share) of the new membership, with as few moves as
    /// those two need. Replicas above a node's bound leave first; the joining node then takes the shards whose ring
    /// walk meets it soonest, from the nodes furthest above their share.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The node is on the ring already, or <paramref name="current"/> names it or a node not on the ring, names a
    /// node twice for one shard, or has a shard without replicas.
    /// </exception>
    public IReadOnlyList<ReplicaMove> PlanJoin(IReadOnlyList<IReadOnlyList<string>> current, PlacementNode joining)
    {
        ArgumentNullException.ThrowIfNull(joining);
        if (indexOf.ContainsKey(joining.NodeId))
        {
            throw new ArgumentException($"Node '{joining.NodeId}' is on the ring already.", nameof(joining));
        }

        ArgumentNullException.ThrowIfNull(current);
        if (current.Any(replicas => replicas?.Contains(joining.NodeId) == true))
        {
            throw new ArgumentException($"The placement names node '{joining.NodeId}', which has not joined yet.", nameof(current));
        }

        return WithNode(joining).Plan(current, leaving: null, joining: joining.NodeId);
    }

    /// <summary>
    /// The moves that take node <paramref name="leavingNodeId"/> out of a cluster of this ring's nodes placed as
    /// <paramref name="current"/>: each of its replicas goes to a node that holds none of that shard, every
    /// remaining node ends within max(⌈share⌉, 1.25 × share) of the remaining membership, and replicas go to the
    /// nodes with room that their shards' ring walks meet soonest.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The node is not on the ring, a shard has more replicas than the remaining nodes, or
    /// <paramref name="current"/> names a node not on the ring, names a node twice for one shard, or has a
    /// shard without replicas.
    /// </exception>
    public IReadOnlyList<ReplicaMove> PlanLeave(IReadOnlyList<IReadOnlyList<string>> current, string leavingNodeId)
    {
        IndexOf(leavingNodeId);
        if (nodes.Length == 1)
        {
            throw new ArgumentException($"Node '{leavingNodeId}' is the only node; its replicas have nowhere to go.", nameof(leavingNodeId));
        }

        return WithoutNode(leavingNodeId).Plan(current, leaving: leavingNodeId, joining: null);
    }

    /// <summary>
    /// <paramref name="placement"/> after <paramref name="moves"/>, in order. A moved replica keeps its place in
    /// the shard's list, so a shard keeps its preferred leader unless that replica is the one that moves.
    /// </summary>
    /// <exception cref="ArgumentException">A move's source does not hold the shard, or its target already does.</exception>
    public static IReadOnlyList<IReadOnlyList<string>> Apply(IReadOnlyList<IReadOnlyList<string>> placement, IEnumerable<ReplicaMove> moves)
    {
        ArgumentNullException.ThrowIfNull(placement);
        ArgumentNullException.ThrowIfNull(moves);
        var result = placement.Select(replicas => replicas.ToArray()).ToArray();
        foreach (var move in moves)
        {
            var replicas = result[move.ShardId];
            var at = Array.IndexOf(replicas, move.FromNode);
            if (at < 0 || replicas.Contains(move.ToNode))
            {
                throw new ArgumentException($"{move} does not fit shard {move.ShardId}'s replicas [{string.Join(", ", replicas)}].", nameof(moves));
            }

            replicas[at] = move.ToNode;
        }

        return result;
    }

    /// <summary>Plans on the ring of the membership after the change; <paramref name="leaving"/> is not on it.</summary>
    private List<ReplicaMove> Plan(IReadOnlyList<IReadOnlyList<string>> current, string? leaving, string? joining)
    {
        ArgumentNullException.ThrowIfNull(current);
        var names = leaving is null ? nodes.Select(n => n.NodeId).ToArray() : [.. nodes.Select(n => n.NodeId), leaving];
        var replicas = new int[current.Count][];
        var total = 0L;
        for (var shard = 0; shard < current.Count; shard++)
        {
            var ids = current[shard] ?? throw new ArgumentException($"Shard {shard} has no replica list.", nameof(current));
            if (ids.Count == 0 || ids.Count > nodes.Length || ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
            {
                throw new ArgumentException(
                    $"Shard {shard} has replicas [{string.Join(", ", ids)}]; it needs 1 to {nodes.Length} distinct nodes.",
                    nameof(current));
            }

            replicas[shard] = [.. ids.Select(id => id == leaving ? nodes.Length : indexOf.TryGetValue(id, out var i) ? i
                : throw new ArgumentException($"Shard {shard} names node '{id}', which is not on the ring.", nameof(current)))];
            total += ids.Count;
        }

        var shares = new PlacementShares([.. nodes.Select(n => n.Weight)], total, current.Count);
        var capacity = new int[names.Length];
        var floor = new int[names.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            capacity[i] = shares.Capacity(i, BalanceSlackNumerator, BalanceSlackDenominator);
        }

        if (joining is not null)
        {
            floor[indexOf[joining]] = shares.Floor(indexOf[joining]);
        }

        var shardTokens = new ulong[current.Count];
        for (var shard = 0; shard < current.Count; shard++)
        {
            shardTokens[shard] = ShardToken(shard);
        }

        var share = Enumerable.Range(0, nodes.Length).Select(shares.Share).ToArray();
        return new PlacementDraft(names, replicas, capacity, floor, share, (shard, node) => Distance(shardTokens[shard], node)).Balance();
    }
}
