using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// The consistent-hash ring with virtual nodes that advises where shard replicas live. Each node owns
/// <see cref="TokensPerWeight"/> tokens per unit of weight, at positions derived from its id alone
/// (<see cref="NodeToken"/>), so every node builds the same ring from the same membership, whatever order it
/// lists the members in. Walking the ring clockwise from a shard's token (<see cref="ShardToken"/>) meets the
/// nodes in the shard's order of preference.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Place"/> gives a new cluster its placement by that walk with bounded loads: a node already at its
/// capacity is passed over, so no node holds more than max(⌈share⌉, 1.1 × share) replicas, where a node's share
/// is the total number of replicas times its weight over the total weight.
/// </para>
/// <para>
/// Once placed, the placement is state that migrations change; the ring only advises.
/// <see cref="PlanJoin"/> and <see cref="PlanLeave"/> take the current placement and return the fewest moves that
/// bring every node back within max(⌈share⌉, 1.25 × share) of the new membership (and a joining node up to its
/// whole share), choosing shards and targets by ring order.
/// </para>
/// </remarks>
public sealed partial class PlacementRing
{
    /// <summary>Tokens per unit of weight when the caller names none: enough that ring arcs are even to about 10%.</summary>
    public const int DefaultTokensPerWeight = 128;

    // A new cluster is placed tighter than plans must keep it, so that joins and leaves start with room to spare.
    private const int PlaceSlackNumerator = 11;
    private const int PlaceSlackDenominator = 10;

    private readonly PlacementNode[] nodes;
    private readonly ulong[][] tokens;
    private readonly Dictionary<string, int> indexOf;

    // All tokens in ring order, by position then owner: the walk's path.
    private readonly ulong[] positions;
    private readonly int[] owners;

    /// <summary>A ring of <paramref name="nodes"/>, each with <paramref name="tokensPerWeight"/> tokens per unit of weight.</summary>
    /// <exception cref="ArgumentException">The list is empty or names a node twice.</exception>
    public PlacementRing(IEnumerable<PlacementNode> nodes, int tokensPerWeight = DefaultTokensPerWeight)
        : this(nodes, tokensPerWeight, known: null)
    {
    }

    /// <summary>A ring that takes the tokens of nodes it shares with <paramref name="known"/> from there, rather than hashing them again.</summary>
    private PlacementRing(IEnumerable<PlacementNode> nodes, int tokensPerWeight, PlacementRing? known)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokensPerWeight, 1);

        // Ordinal order of ids, so that the ring and every tie-break are the same whatever order the caller used.
        this.nodes = [.. nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal)];
        if (this.nodes.Length == 0)
        {
            throw new ArgumentException("A ring needs at least one node.", nameof(nodes));
        }

        indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < this.nodes.Length; i++)
        {
            if (!indexOf.TryAdd(this.nodes[i].NodeId, i))
            {
                throw new ArgumentException($"Node '{this.nodes[i].NodeId}' is listed twice.", nameof(nodes));
            }
        }

        TokensPerWeight = tokensPerWeight;
        tokens = new ulong[this.nodes.Length][];
        for (var i = 0; i < this.nodes.Length; i++)
        {
            tokens[i] = known is not null && known.indexOf.TryGetValue(this.nodes[i].NodeId, out var k) && known.nodes[k] == this.nodes[i]
                ? known.tokens[k]
                : TokensOf(this.nodes[i], tokensPerWeight);
        }

        positions = [.. tokens.SelectMany(own => own)];
        owners = [.. tokens.SelectMany((own, i) => own.Select(_ => i))];
        Array.Sort(positions, owners);
        for (var start = 0; start < positions.Length;)
        {
            // Array.Sort is unstable; equal positions (one node's own collisions, or two nodes') go by owner.
            var end = start + 1;
            while (end < positions.Length && positions[end] == positions[start])
            {
                end++;
            }

            Array.Sort(owners, start, end - start);
            start = end;
        }
    }

    /// <summary>Tokens each node owns per unit of its weight.</summary>
    public int TokensPerWeight { get; }

    /// <summary>The ring's nodes, in ordinal order of their ids.</summary>
    public IReadOnlyList<PlacementNode> Nodes => nodes;

    /// <summary>Where the ring walk for shard <paramref name="shardId"/> starts: XxHash3 of the UTF-8 text <c>shard#{shardId}</c>.</summary>
    public static ulong ShardToken(int shardId) =>
        XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"shard#{shardId}")));

    /// <summary>The position of token <paramref name="index"/> of node <paramref name="nodeId"/>: XxHash3 of the UTF-8 text <c>{nodeId}#{index}</c>.</summary>
    public static ulong NodeToken(string nodeId, int index)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        return NodeToken(Encoding.UTF8.GetBytes(nodeId + "#"), index);
    }

    /// <summary>
    /// The first <paramref name="replicationFactor"/> distinct nodes met walking the ring clockwise from the
    /// shard's token, the first being the preferred leader: the shard's replicas as <see cref="Place"/> would
    /// pick them if no node were full.
    /// </summary>
    /// <exception cref="ArgumentException">The replication factor exceeds the node count.</exception>
    public IReadOnlyList<string> ReplicasFor(int shardId, int replicationFactor)
    {
        CheckReplicationFactor(replicationFactor, nodes.Length);
        return [.. Walk(ShardToken(shardId)).Take(replicationFactor).Select(i => nodes[i].NodeId)];
    }

    /// <summary>
    /// The default placement of a new cluster: for each shard id from 0 to <paramref name="shardCount"/> − 1, its
    /// replicas' node ids, the preferred leader first. Shard by shard, the ring walk from the shard's token picks
    /// the nodes, passing over a node that is at its capacity, max(⌈share⌉, 1.1 × share), or that must be kept
    /// free for the shards still to come; so no node exceeds its capacity and no shard has two replicas on a node.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The shard count or replication factor is below 1.</exception>
    /// <exception cref="ArgumentException">The replication factor exceeds the node count.</exception>
    public IReadOnlyList<IReadOnlyList<string>> Place(int shardCount, int replicationFactor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        CheckReplicationFactor(replicationFactor, nodes.Length);

        var shares = new PlacementShares([.. nodes.Select(n => n.Weight)], (long)shardCount * replicationFactor, shardCount);
        var spare = new long[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
        {
            spare[i] = shares.Capacity(i, PlaceSlackNumerator, PlaceSlackDenominator);
        }

        var placement = new IReadOnlyList<string>[shardCount];
        for (var shard = 0; shard < shardCount; shard++)
        {
            var picks = PickReplicas(Walk(ShardToken(shard)), spare, shardCount - shard, replicationFactor);
            foreach (var node in picks)
            {
                spare[node]--;
            }

            placement[shard] = [.. picks.Select(i => nodes[i].NodeId)];
        }

        return placement;
    }

    /// <summary>This ring with <paramref name="node"/> added.</summary>
    /// <exception cref="ArgumentException">The ring has a node of that id already.</exception>
    public PlacementRing WithNode(PlacementNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new PlacementRing([.. nodes, node], TokensPerWeight, this);
    }

    /// <summary>This ring without node <paramref name="nodeId"/>.</summary>
    /// <exception cref="ArgumentException">The ring has no such node, or no other node.</exception>
    public PlacementRing WithoutNode(string nodeId)
    {
        IndexOf(nodeId);
        return new PlacementRing(nodes.Where(n => n.NodeId != nodeId), TokensPerWeight, this);
    }

    /// <summary>
    /// Picks a shard's replicas among nodes with spare room, in ring order, such that the shards still to come
    /// can still be placed. With <c>k</c> shards left (this one included), node j can serve at most
    /// min(spare_j, k) of them, and the rest is placeable exactly when Σ min(spare_j, k) ≥ k × rf (each shard
    /// needs rf distinct nodes; the sum is concave in k, so checking k is enough). A node with spare_j ≥ k is
    /// "saturated": leaving it out of this shard costs one unit of that sum; any other pick costs none. So a
    /// saturated node is always taken, and another only while the saturated nodes that could still be left out
    /// do not exceed the sum's surplus Σ min(spare_j, k) − k × rf.
    /// </summary>
    private static List<int> PickReplicas(IEnumerable<int> ringOrder, long[] spare, int shardsLeft, int replicationFactor)
    {
        var surplus = -(long)shardsLeft * replicationFactor;
        var saturatedLeft = 0;
        foreach (var room in spare)
        {
            surplus += Math.Min(room, shardsLeft);
            saturatedLeft += room >= shardsLeft ? 1 : 0;
        }

        var picks = new List<int>(replicationFactor);
        foreach (var node in ringOrder)
        {
            if (picks.Count == replicationFactor)
            {
                break;
            }

            if (spare[node] >= shardsLeft)
            {
                picks.Add(node);
                saturatedLeft--;
            }
            else if (spare[node] > 0 && saturatedLeft - (replicationFactor - picks.Count - 1) <= surplus)
            {
                picks.Add(node);
            }
        }

        // Unreachable while the capacities add up to the replicas: a node passed over is needed later only if
        // enough saturated nodes follow it in the walk to fill the remaining picks.
        if (picks.Count < replicationFactor)
        {
            throw new InvalidOperationException("The nodes' capacities cannot hold every replica.");
        }

        return picks;
    }

    /// <summary>The ring's node indices in the order a clockwise walk from <paramref name="position"/> first meets them.</summary>
    private IEnumerable<int> Walk(ulong position)
    {
        var start = Array.BinarySearch(positions, position);
        if (start < 0)
        {
            start = ~start;
        }
        else
        {
            // Of equal positions, the walk meets the first.
            while (start > 0 && positions[start - 1] == position)
            {
                start--;
            }
        }

        var met = new bool[nodes.Length];
        var left = nodes.Length;
        for (var step = 0; step < positions.Length && left > 0; step++)
        {
            var owner = owners[(start + step) % positions.Length];
            if (!met[owner])
            {
                met[owner] = true;
                left--;
                yield return owner;
            }
        }
    }

    /// <summary>How far clockwise from <paramref name="position"/> the first token of node <paramref name="node"/> lies.</summary>
    private ulong Distance(ulong position, int node)
    {
        var own = tokens[node];
        var at = Array.BinarySearch(own, position);
        if (at < 0)
        {
            at = ~at;
        }

        return unchecked(own[at == own.Length ? 0 : at] - position);
    }

    private int IndexOf(string nodeId)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        return indexOf.TryGetValue(nodeId, out var index)
            ? index
            : throw new ArgumentException($"Node '{nodeId}' is not on the ring.", nameof(nodeId));
    }

    private static void CheckReplicationFactor(int replicationFactor, int nodeCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        if (replicationFactor > nodeCount)
        {
            throw new ArgumentException(
                $"A replication factor of {replicationFactor} needs as many distinct nodes, and there are {nodeCount}.",
                nameof(replicationFactor));
        }
    }

    private static ulong[] TokensOf(PlacementNode node, int tokensPerWeight)
    {
        var prefix = Encoding.UTF8.GetBytes(node.NodeId + "#");
        var own = new ulong[checked(node.Weight * tokensPerWeight)];
        for (var t = 0; t < own.Length; t++)
        {
            own[t] = NodeToken(prefix, t);
        }

        Array.Sort(own);
        return own;
    }

    /// <summary><see cref="NodeToken(string, int)"/> with the id's UTF-8 bytes and the '#' encoded once per node.</summary>
    private static ulong NodeToken(byte[] prefix, int index)
    {
        // 11 bytes hold any int in decimal, sign included.
        Span<byte> text = prefix.Length <= 256 ? stackalloc byte[prefix.Length + 11] : new byte[prefix.Length + 11];
        prefix.CopyTo(text);
        index.TryFormat(text[prefix.Length..], out var written, provider: CultureInfo.InvariantCulture);
        return XxHash3.HashToUInt64(text[..(prefix.Length + written)]);
    }
}
