using System.Globalization;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// What the placement driver should do next with a map, as a pure function of the map and of how long each node has
/// been silent: re-create the replicas of nodes down past <c>DOWN_AFTER</c> (repair), move replicas off draining
/// nodes (drain), and give nodes below their fair share replicas until every active node is within one replica of
/// its share (join). Each move goes to the eligible node — active, heard from, not holding the shard — with the
/// fewest replicas for its weight. At most <see cref="PlacementLimits.MaxConcurrentMoves"/> migrations run at once,
/// one per shard, and a move is only started when the shard's group has a majority of its voters up (someone must lead
/// the move) and keeps one after. Balancing leaves alone for <see cref="PlacementLimits.Cooldown"/> a shard that an
/// operator (or the load rebalancer) moved, so it does not undo their move at once.
/// </summary>
public static class PlacementPolicy
{
    /// <summary>The reason recorded for a replica moved off a draining node.</summary>
    public const string Drain = "drain";

    /// <summary>The reason recorded for a replica given to a node below its share.</summary>
    public const string Join = "join";

    /// <summary>The reason recorded for a replica re-created in place of one on a node that is down.</summary>
    public const string Repair = "repair";

    /// <summary>The moves to start now, in the order they should be started.</summary>
    /// <param name="map">The applied map.</param>
    /// <param name="silence">How long (milliseconds) the meta leader has not heard from a node.</param>
    /// <param name="limits">When a node counts as up or down, how many moves at once, the cooldown.</param>
    /// <param name="now">The time the migrations' steps are compared with for the cooldown (Unix milliseconds).</param>
    public static IReadOnlyList<PlacementDecision> Decide(ClusterMap map, Func<string, long> silence, PlacementLimits limits, long now)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(silence);
        ArgumentNullException.ThrowIfNull(limits);
        var (upWithin, downAfter) = (limits.UpWithin, limits.DownAfter);
        var decisions = new List<PlacementDecision>();
        var budget = limits.MaxConcurrentMoves - map.Migrations.Count(m => !m.IsFinal);
        if (!map.IsBootstrapped || budget <= 0)
        {
            return decisions;
        }

        var view = new View(map, silence, upWithin);
        var busy = map.Migrations.Where(m => !m.IsFinal).Select(m => m.ShardId).ToHashSet();

        void Take(ShardRecord shard, string source, string target, string reason, string detail)
        {
            decisions.Add(new PlacementDecision(shard.Id, source, target, reason, detail));
            busy.Add(shard.Id);
            view.Counts[source]--;
            view.Counts[target]++;
            budget--;
        }

        // Repair first: a shard with a replica on a dead node is one failure from losing its majority.
        foreach (var node in map.Nodes.Where(n => n.Membership != NodeRecord.Removed && silence(n.Id) >= downAfter))
        {
            foreach (var shard in map.Shards.Where(s => s.Replicas.Contains(node.Id) && !busy.Contains(s.Id)))
            {
                if (budget > 0 && view.BestTarget(shard) is { } target && view.Safe(shard, node.Id, target))
                {
                    var seconds = (silence(node.Id) / 1000).ToString(CultureInfo.InvariantCulture);
                    Take(shard, node.Id, target, Repair, $"{node.Id} down for {seconds} s; re-creating its replica of shard-{shard.Id} on {target}");
                }
            }
        }

        foreach (var node in map.Nodes.Where(n => n.Membership == NodeRecord.Draining))
        {
            foreach (var shard in map.Shards.Where(s => s.Replicas.Contains(node.Id) && !busy.Contains(s.Id)))
            {
                if (budget > 0 && view.BestTarget(shard) is { } target && view.Safe(shard, node.Id, target))
                {
                    Take(shard, node.Id, target, Drain, $"{node.Id} is draining; moving its replica of shard-{shard.Id} to {target}, which holds {view.Counts[target]}");
                }
            }
        }

        // Balance only among active nodes that are up, and not while a node holding replicas is down: they are
        // repaired first, or it comes back.
        if (map.Nodes.Any(n => silence(n.Id) > upWithin && map.Shards.Any(s => s.IsHeldBy(n.Id))))
        {
            return decisions;
        }

        // Moves of its own follow one consistent goal and never undo each other; the cooldown keeps it off the others'.
        var cooling = map.Migrations.Where(m => m.IsFinal && m.Reason is not (Drain or Join or Repair) && now - m.UpdatedAt < limits.Cooldown)
            .Select(m => m.ShardId).ToHashSet();
        var members = map.Nodes.Where(n => view.IsEligible(n)).ToList();
        while (budget > 0 && members.Count > 1)
        {
            var receiver = members.OrderBy(n => view.Counts[n.Id] * 1.0 / n.Weight).ThenBy(n => n.Id, StringComparer.Ordinal).First();
            var moved = false;
            foreach (var donor in members.OrderByDescending(n => view.Counts[n.Id] * 1.0 / n.Weight).ThenBy(n => n.Id, StringComparer.Ordinal))
            {
                // Only a move that leaves the donor no emptier for its weight than the receiver becomes.
                if (donor == receiver || (long)view.Counts[donor.Id] * receiver.Weight <= (long)(view.Counts[receiver.Id] + 1) * donor.Weight)
                {
                    continue;
                }

                var shard = map.Shards.FirstOrDefault(s => s.Replicas.Contains(donor.Id) && !s.IsHeldBy(receiver.Id) && !busy.Contains(s.Id)
                    && !cooling.Contains(s.Id) && view.Safe(s, donor.Id, receiver.Id));
                if (shard is null)
                {
                    continue;
                }

                var detail = string.Create(CultureInfo.InvariantCulture,
                    $"{receiver.Id} holds {view.Counts[receiver.Id]} replicas and {donor.Id} {view.Counts[donor.Id]}; moving shard-{shard.Id}'s replica to {receiver.Id}");
                Take(shard, donor.Id, receiver.Id, Join, detail);
                moved = true;
                break;
            }

            if (!moved)
            {
                break;
            }
        }

        return decisions;
    }

    /// <summary>
    /// Why draining node <paramref name="nodeId"/> cannot hand over every replica, or null when nothing stands in the
    /// way: shards for which no active node that is up is free to take the replica, or whose group would be left without
    /// a majority of its voters up.
    /// </summary>
    public static string? DrainBlocker(ClusterMap map, string nodeId, Func<string, long> silence, long upWithin)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(silence);
        var view = new View(map, silence, upWithin);
        var held = map.Shards.Where(s => s.Replicas.Contains(nodeId)).ToList();
        var nowhere = held.Where(s => view.BestTarget(s) is null).Select(s => $"shard-{s.Id}").ToList();
        var unsafeMoves = held.Where(s => view.BestTarget(s) is { } target && !view.Safe(s, nodeId, target)).Select(s => $"shard-{s.Id}").ToList();
        var reasons = new List<string>();
        if (nowhere.Count > 0)
        {
            var eligible = map.Nodes.Count(view.IsEligible);
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"no node can take {string.Join(", ", nowhere)}: {eligible} active node(s) are up for a replication factor of {map.ReplicationFactor}, and each holds it already"));
        }

        if (unsafeMoves.Count > 0)
        {
            reasons.Add($"moving {string.Join(", ", unsafeMoves)} would leave fewer than a majority of its voters up");
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    private sealed class View
    {
        private readonly ClusterMap _map;
        private readonly Func<string, long> _silence;
        private readonly long _upWithin;

        public View(ClusterMap map, Func<string, long> silence, long upWithin)
        {
            _map = map;
            _silence = silence;
            _upWithin = upWithin;
            Counts = map.Nodes.ToDictionary(n => n.Id, n => map.Shards.Count(s => s.IsHeldBy(n.Id)), StringComparer.Ordinal);
        }

        /// <summary>Replicas (voting or learning) per node, with the moves decided so far.</summary>
        public Dictionary<string, int> Counts { get; }

        public bool IsUp(string nodeId) => _silence(nodeId) <= _upWithin;

        public bool IsEligible(NodeRecord node) => node.IsActive && IsUp(node.Id);

        public string? BestTarget(ShardRecord shard) =>
            _map.Nodes.Where(n => IsEligible(n) && !shard.IsHeldBy(n.Id))
                .OrderBy(n => Counts[n.Id] * 1.0 / n.Weight)
                .ThenBy(n => n.Id, StringComparer.Ordinal)
                .Select(n => n.Id)
                .FirstOrDefault();

        /// <summary>The group has a majority up now (someone leads the move), and still has one with the target in the source's place.</summary>
        public bool Safe(ShardRecord shard, string source, string target)
        {
            var now = shard.Replicas.Count(IsUp);
            var after = shard.Replicas.Where(r => r != source).Append(target).ToList();
            return now >= (shard.Replicas.Count / 2) + 1 && after.Count(IsUp) >= (after.Count / 2) + 1;
        }
    }
}
