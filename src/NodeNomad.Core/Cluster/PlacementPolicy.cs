using System.Globalization;
using NodeNomad.Contracts;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// What the placement driver should do next with a map, as a pure function of the map, of how long each node has
/// been silent and of who leads each shard: re-create the replicas of nodes down past <c>DOWN_AFTER</c> (repair), move
/// replicas off draining nodes (drain), give nodes below their fair share replicas until every active node is within
/// one replica of its share (join), and then hand leaderships over until every active node leads within one of its
/// share (<see cref="LeadershipCounts"/>). Each replica goes to the eligible node — active, heard from, not holding the
/// shard — with the fewest replicas for its weight. At most <see cref="PlacementLimits.MaxConcurrentMoves"/> moves are
/// in flight at once — migrations and leadership hand-overs alike, whoever started them — one per shard, and a
/// replica move is only started when the shard's group has a majority of its voters up (someone must lead the move)
/// and keeps one after. Balancing leaves alone for <see cref="PlacementLimits.Cooldown"/> a shard that an operator (or
/// the load rebalancer) moved, so it does not undo their move at once.
/// </summary>
/// <remarks>
/// Why leaderships are balanced here, by count, and not by the load rebalancer: a leader serves its shard's writes and
/// linearizable reads, so a node that leads nothing — one that just joined, or came back after its leaderships were
/// taken over by elections — is idle however many replicas it holds; an even count is the placement a cluster should
/// have with no load figures at all, like an even count of replicas, and it must hold when auto-rebalancing is off.
/// The rebalancer then shifts leaderships by load, but only within the same bound of one (it refuses a move that
/// would take a node further), and this policy moves a leadership only for a node beyond it, so the two never undo
/// each other: once every node is within one of its share, leaderships move by load alone.
/// </remarks>
public static class PlacementPolicy
{
    /// <summary>The reason recorded for a replica moved off a draining node.</summary>
    public const string Drain = "drain";

    /// <summary>The reason recorded for a replica given to a node below its share.</summary>
    public const string Join = "join";

    /// <summary>The reason recorded for a replica re-created in place of one on a node that is down.</summary>
    public const string Repair = "repair";

    /// <summary>The reason recorded for a leadership taken from a node that leads more than one above its share.</summary>
    public const string Balance = "balance";

    /// <summary>The moves to start now, in the order they should be started.</summary>
    /// <param name="map">The applied map.</param>
    /// <param name="silence">How long (milliseconds) the meta leader has not heard from a node.</param>
    /// <param name="limits">When a node counts as up or down, how many moves at once, the cooldown.</param>
    /// <param name="now">The time the migrations' steps and the hand-overs are compared with for the cooldown (Unix milliseconds).</param>
    /// <param name="leaders">
    /// Who leads each shard, as the nodes last reported (null for a shard whose leader is not known); null when nothing is
    /// known, and then leaderships are left as they are.
    /// </param>
    public static IReadOnlyList<PlacementDecision> Decide(ClusterMap map, Func<string, long> silence, PlacementLimits limits, long now,
        Func<int, string?>? leaders = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(silence);
        ArgumentNullException.ThrowIfNull(limits);
        var (upWithin, downAfter) = (limits.UpWithin, limits.DownAfter);
        var decisions = new List<PlacementDecision>();
        var handingOver = map.Handovers.Where(h => LeadershipCounts.IsInFlight(h, leaders?.Invoke(h.ShardId), now)).Select(h => h.ShardId).ToList();
        var budget = limits.MaxConcurrentMoves - map.Migrations.Count(m => !m.IsFinal) - handingOver.Count;
        if (!map.IsBootstrapped || budget <= 0)
        {
            return decisions;
        }

        var view = new View(map, silence, upWithin);
        var busy = map.Migrations.Where(m => !m.IsFinal).Select(m => m.ShardId).Concat(handingOver).ToHashSet();

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
                if (donor == receiver || !ReplicaCounts.Evens(view.Counts[donor.Id], donor.Weight, view.Counts[receiver.Id], receiver.Weight))
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

        if (leaders is not null && budget > 0 && members.Count > 1)
        {
            // A leadership the operator or the rebalancer moved is left where they put it for the cooldown, as a replica is.
            cooling.UnionWith(map.Handovers.Where(h => !IsOwn(h) && now - h.At < limits.Cooldown).Select(h => h.ShardId));
            var leaderOf = LeadershipCounts.Expected(map, leaders, now);
            var counts = new LeadershipCounts(members, map.Shards.Count, leaderOf);
            var led = Enumerable.Range(0, map.Shards.Count).ToDictionary(s => s, leaderOf);
            while (budget > 0 && NextLeadership(map, counts, led, s => busy.Contains(s) || cooling.Contains(s)) is { } move)
            {
                decisions.Add(move);
                busy.Add(move.ShardId);
                counts.Move(move.Source, move.Target);
                led[move.ShardId] = move.Target;
                budget--;
            }
        }

        return decisions;
    }

    /// <summary>Whether <paramref name="handover"/> was asked for by this policy.</summary>
    public static bool IsOwn(LeadershipHandover handover)
    {
        ArgumentNullException.ThrowIfNull(handover);
        return handover.Reason.StartsWith(Join + ":", StringComparison.Ordinal) || handover.Reason.StartsWith(Balance + ":", StringComparison.Ordinal);
    }

    /// <summary>The reason a hand-over <paramref name="decision"/> asks for is recorded with ("join: node-6 leads 0 of 8 shards …").</summary>
    public static string HandoverReason(PlacementDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Reason + ": " + decision.Detail;
    }

    /// <summary>
    /// The next leadership to hand over, or null: for the node furthest below its share (beyond one), else the one
    /// furthest above, the move that evens it most — a node below takes a leadership from the voter of one of its shards furthest above its own share; a node
    /// above gives one to the fellow voter furthest below. Only moves that improve the balance strictly
    /// (<see cref="LeadershipCounts.Evens"/>) are made, so this never goes round in circles.
    /// </summary>
    private static PlacementDecision? NextLeadership(ClusterMap map, LeadershipCounts counts, Dictionary<int, string?> led, Func<int, bool> unavailable)
    {
        // Nodes short of leaderships first (a node that joined serves nothing until it leads), the furthest off first.
        var off = counts.Nodes.Where(counts.IsOutOfBalance).OrderBy(n => counts.Off(n) < 0 ? 0 : 1).ThenByDescending(n => Math.Abs(counts.Off(n)))
            .ThenBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var node in off)
        {
            if (counts.Off(node) < 0)
            {
                var take = map.Shards
                    .Where(s => s.Replicas.Contains(node) && !unavailable(s.Id) && led[s.Id] is { } l && l != node && counts.Evens(l, node))
                    .OrderByDescending(s => counts.Off(led[s.Id]!)).ThenBy(s => s.Id)
                    .FirstOrDefault();
                if (take is not null)
                {
                    var donor = led[take.Id]!;
                    return new PlacementDecision(take.Id, donor, node, Join, Say(
                        $"{counts.Describe(node)}; moving the leadership of {ShardNames.Of(take.Id)} to it from {donor}, which leads {counts.Of(donor)}"), PlacementDecision.Leadership);
                }
            }
            else
            {
                var give = map.Shards
                    .Where(s => led[s.Id] == node && !unavailable(s.Id))
                    .SelectMany(s => s.Replicas.Where(r => r != node && counts.Evens(node, r)).Select(r => (Shard: s, Receiver: r)))
                    .OrderBy(c => counts.Off(c.Receiver)).ThenBy(c => c.Shard.Id).ThenBy(c => c.Receiver, StringComparer.Ordinal)
                    .Select(c => ((ShardRecord Shard, string Receiver)?)c)
                    .FirstOrDefault();
                if (give is { } g)
                {
                    return new PlacementDecision(g.Shard.Id, node, g.Receiver, Balance, Say(
                        $"{counts.Describe(node)}; moving the leadership of {ShardNames.Of(g.Shard.Id)} to {g.Receiver}, which leads {counts.Of(g.Receiver)}"), PlacementDecision.Leadership);
                }
            }
        }

        return null;
    }

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

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

            // A move in flight counts as done: its source has given the replica up and its target holds it. Counted as
            // they stand, a source would still look full until its move ends, and be asked for a second replica
            // while the nodes above it are busy, which then has to be moved back.
            foreach (var move in map.Migrations.Where(m => !m.IsFinal))
            {
                if (map.Shard(move.ShardId) is not { } shard)
                {
                    continue;
                }

                if (shard.IsHeldBy(move.Source) && Counts.TryGetValue(move.Source, out var source))
                {
                    Counts[move.Source] = source - 1;
                }

                if (!shard.IsHeldBy(move.Target) && Counts.TryGetValue(move.Target, out var target))
                {
                    Counts[move.Target] = target + 1;
                }
            }
        }

        /// <summary>Replicas (voting or learning) per node once the moves in flight are done, with the moves decided so far.</summary>
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
