namespace NodeNomad.Core.Cluster;

/// <summary>
/// How many replicas each node should hold: its share of the total in proportion to its weight, except that a
/// node holds at most one replica of a shard, so a share above the shard count is cut to it and the rest is
/// shared among the other nodes in proportion to their weights. Shares are kept as exact fractions so that
/// every node computes the same bounds.
/// </summary>
internal sealed class PlacementShares
{
    private readonly long[] numerators;
    private readonly long[] denominators;
    private readonly int shardCount;

    /// <param name="weights">The nodes' weights, each at least 1.</param>
    /// <param name="totalReplicas">Replicas of all shards together; at most <paramref name="shardCount"/> times the node count.</param>
    /// <param name="shardCount">How many shards there are.</param>
    public PlacementShares(IReadOnlyList<int> weights, long totalReplicas, int shardCount)
    {
        this.shardCount = shardCount;
        numerators = new long[weights.Count];
        denominators = new long[weights.Count];
        var full = new bool[weights.Count];
        var restTotal = totalReplicas;
        var restWeight = weights.Sum(w => (long)w);

        // Cutting a node to the shard count lowers the per-weight rate of the others, so a node cut once stays cut.
        for (var changed = true; changed;)
        {
            changed = false;
            for (var node = 0; node < weights.Count; node++)
            {
                if (!full[node] && restTotal * weights[node] > shardCount * restWeight)
                {
                    full[node] = true;
                    restTotal -= shardCount;
                    restWeight -= weights[node];
                    changed = true;
                }
            }
        }

        for (var node = 0; node < weights.Count; node++)
        {
            (numerators[node], denominators[node]) = full[node] ? (shardCount, 1L) : (restTotal * weights[node], restWeight);
        }
    }

    /// <summary>The node's share as a number, for ranking nodes by how far above it they are.</summary>
    public double Share(int node) => (double)numerators[node] / denominators[node];

    /// <summary>The whole replicas in the node's share: what a node must reach to be as full as its share allows.</summary>
    public int Floor(int node) => (int)(numerators[node] / denominators[node]);

    /// <summary>
    /// The most replicas the node may hold: its share times the slack <paramref name="slackNumerator"/> /
    /// <paramref name="slackDenominator"/>, rounded down, but never below its share rounded up (a share of 0.3
    /// still allows one replica) and never above the shard count.
    /// </summary>
    public int Capacity(int node, int slackNumerator, int slackDenominator)
    {
        var numerator = numerators[node];
        var denominator = denominators[node];
        var ceiling = (numerator + denominator - 1) / denominator;
        var slackened = Math.Min(shardCount, slackNumerator * numerator / (slackDenominator * denominator));
        return (int)Math.Max(ceiling, slackened);
    }
}
