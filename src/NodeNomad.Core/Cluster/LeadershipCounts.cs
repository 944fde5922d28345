using System.Globalization;
using NodeNomad.Contracts;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// How many shard leaderships each node leads against its share: the shard count in proportion to the node's weight
/// (<see cref="NodeRecord.Weight"/>, as for replicas) among the nodes counted — the active nodes that are up. A node is
/// in balance while it leads within one of its share. This is the one rule two drivers share so that they never undo
/// each other: the placement driver moves a leadership only to bring a node that is more than one off its share back
/// (<see cref="PlacementPolicy"/>), and the load rebalancer only moves one that leaves both nodes within one
/// (<see cref="Rebalancer"/>). A leadership led by a node not counted (draining, down) is nobody's here.
/// </summary>
public sealed class LeadershipCounts
{
    // Shares are fractions (8 shards on 5 nodes: 1.6 each); the bound of one is compared with this much slack.
    private const double Slack = 1e-9;

    private readonly Dictionary<string, int> _counts;
    private readonly Dictionary<string, double> _shares;

    /// <param name="nodes">The nodes counted (active and up), with their weights.</param>
    /// <param name="shardCount">How many shards there are (every one has, or will have, a leader).</param>
    /// <param name="leaderOf">Who leads each shard (null: not known); only shards 0 to <paramref name="shardCount"/> − 1 are asked.</param>
    public LeadershipCounts(IEnumerable<NodeRecord> nodes, int shardCount, Func<int, string?> leaderOf)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(leaderOf);
        var counted = nodes.ToList();
        var weight = Math.Max(1, counted.Sum(n => (long)Math.Max(1, n.Weight)));
        ShardCount = shardCount;
        _shares = counted.ToDictionary(n => n.Id, n => shardCount * (double)Math.Max(1, n.Weight) / weight, StringComparer.Ordinal);
        _counts = counted.ToDictionary(n => n.Id, _ => 0, StringComparer.Ordinal);
        for (var shard = 0; shard < shardCount; shard++)
        {
            if (leaderOf(shard) is { } leader && _counts.TryGetValue(leader, out var count))
            {
                _counts[leader] = count + 1;
            }
        }
    }

    /// <summary>How many shards there are.</summary>
    public int ShardCount { get; }

    /// <summary>The nodes counted.</summary>
    public IEnumerable<string> Nodes => _counts.Keys;

    /// <summary>Whether <paramref name="nodeId"/> is counted.</summary>
    public bool Counts(string nodeId) => _counts.ContainsKey(nodeId);

    /// <summary>How many shards <paramref name="nodeId"/> leads.</summary>
    public int Of(string nodeId) => _counts.GetValueOrDefault(nodeId);

    /// <summary>How many it should lead, for its weight.</summary>
    public double Share(string nodeId) => _shares.GetValueOrDefault(nodeId);

    /// <summary>How far above its share it is (below: negative).</summary>
    public double Off(string nodeId) => Of(nodeId) - Share(nodeId);

    /// <summary>Whether it leads more than one above or below its share.</summary>
    public bool IsOutOfBalance(string nodeId) => Counts(nodeId) && Math.Abs(Off(nodeId)) > 1 + Slack;

    /// <summary>
    /// Whether moving one leadership from <paramref name="from"/> to <paramref name="to"/> would improve the balance
    /// strictly: the giver stays further above its share than the taker comes to be. Every such move lowers the sum of
    /// the squares of how far each node is off its share, so moves of this kind alone can never come back round.
    /// </summary>
    public bool Evens(string from, string to) => Counts(from) && Counts(to) && Off(from) - Off(to) > 1 + Slack;

    /// <summary>
    /// Why moving one leadership from <paramref name="from"/> to <paramref name="to"/> would put either more than one off
    /// its share, or null when it would not (a node already out of balance may only come nearer).
    /// </summary>
    public string? Unbalances(string from, string to) => Unbalances(new Dictionary<string, int> { [from] = -1, [to] = 1 });

    /// <summary>
    /// Why changing the leaderships of nodes by <paramref name="changes"/> (node → leaderships gained, or lost when
    /// negative) would put one of them more than one off its share, or null when it would not.
    /// </summary>
    public string? Unbalances(IReadOnlyDictionary<string, int> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var (node, change) in changes.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!Counts(node) || change == 0)
            {
                continue;
            }

            var after = Of(node) + change;
            if (change > 0 && after - Share(node) > 1 + Slack)
            {
                return Say($"{node} would lead {after} of {ShardCount} shards, more than one above its share of {Share(node):0.##} (leaderships are kept within one of their share)");
            }

            if (change < 0 && after - Share(node) < -1 - Slack)
            {
                return Say($"{node} would lead {after} of {ShardCount} shards, more than one below its share of {Share(node):0.##} (leaderships are kept within one of their share)");
            }
        }

        return null;
    }

    /// <summary>Counts a leadership moved (or about to be) from <paramref name="from"/> (null: nobody counted) to <paramref name="to"/>.</summary>
    public void Move(string? from, string to)
    {
        if (from is not null && _counts.TryGetValue(from, out var giving))
        {
            _counts[from] = giving - 1;
        }

        if (_counts.TryGetValue(to, out var taking))
        {
            _counts[to] = taking + 1;
        }
    }

    /// <summary>"node-6 leads 0 of 8 shards (its share 1.6)".</summary>
    public string Describe(string nodeId) => Say($"{nodeId} leads {Of(nodeId)} of {ShardCount} shards (its share {Share(nodeId):0.##})");

    /// <summary>
    /// Who is to lead each shard once the moves under way are done, as both drivers count leaderships: the target of a
    /// hand-over still in flight; else the node a load rebalancer's migration brings the leadership to (while it runs, and
    /// until its leadership follows, within the rebalancer's cooldown); else the leader <paramref name="leaders"/> says.
    /// Counting moves under way as done keeps one driver from answering a move of the other that has not finished.
    /// </summary>
    public static Func<int, string?> Expected(ClusterMap map, Func<int, string?> leaders, long now)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(leaders);
        var cooldown = map.RebalancerSettings.CooldownSeconds * 1000L;
        var expected = new Dictionary<int, string>();
        foreach (var migration in map.Migrations.Where(m => m.LeadershipTo is not null
            && (!m.IsFinal || (m.State == MigrationStates.Done && now - m.UpdatedAt < cooldown && map.Handovers.All(h => h.ShardId != m.ShardId || h.At < m.UpdatedAt)))))
        {
            expected[migration.ShardId] = migration.LeadershipTo!;
        }

        foreach (var handover in map.Handovers.Where(h => IsInFlight(h, leaders(h.ShardId), now)))
        {
            expected[handover.ShardId] = handover.Target;
        }

        return shard => expected.TryGetValue(shard, out var target) ? target : leaders(shard);
    }

    /// <summary>Whether <paramref name="handover"/> is still to be carried out: it is fresh and its target does not lead yet (as far as is known).</summary>
    public static bool IsInFlight(LeadershipHandover handover, string? leader, long now)
    {
        ArgumentNullException.ThrowIfNull(handover);
        return handover.IsFresh(now) && leader != handover.Target;
    }

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
