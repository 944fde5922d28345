using NodeNomad.Core.Cluster;
using NodeNomad.Raft;

namespace NodeNomad.Node.Runtime;

/// <summary>
/// Keeps the placement what it should be, inside the node core (so the simulator runs it as the node does). On
/// every node: a node that is draining, drained or removed hands the leadership of every group it leads to an active
/// voter that is caught up. On the meta leader, every <see cref="NodeCoreSettings.PlacementInterval"/>: it records how
/// recently each member of the meta group answered (the leader's Raft progress, so the simulator drives it through
/// the network it simulates), starts the moves <see cref="PlacementPolicy"/> asks for — replicas as migrations,
/// leaderships as hand-overs, each with its reason and detail, leaderships by who leads each shard as the latest load
/// figures say (none while there are none) — marks a draining node that holds nothing drained, replaces a meta voter down past
/// <see cref="NodeCoreSettings.DownAfter"/> with a learner that is caught up, and takes removed nodes out of the meta
/// group. The migration driver does the moving.
/// </summary>
internal sealed class PlacementDriver(ReplicaContext context, NodeCoreSettings settings)
{
    private readonly Dictionary<ulong, long> _heardAt = [];
    private readonly Dictionary<ulong, long> _handedOverAt = [];
    private ulong _leadingTerm;
    private long _leadingSince;
    private long _nextRoundAt;
    private ulong _waitForIndex;
    private long _ticks;
    private long _nextTicket = -(1L << 40);

    /// <summary>One tick: hand leaderships away if this node is leaving; on the meta leader, a round when one is due.</summary>
    /// <param name="meta">This node's meta replica.</param>
    /// <param name="shards">This node's shard replicas.</param>
    /// <param name="leaders">Who leads each shard, as the nodes last reported; null when that is not known.</param>
    public void Tick(MetaReplica meta, IReadOnlyDictionary<int, ShardReplica> shards, Func<int, string?>? leaders)
    {
        _ticks++;
        if (!settings.PlacementEnabled)
        {
            return;
        }

        var map = meta.Map;
        if (map.Node(settings.SelfId) is { IsActive: false })
        {
            HandOver(map, meta, null);
            foreach (var shard in shards.Values)
            {
                HandOver(map, shard, map.Shard(shard.ShardId));
            }
        }

        if (!meta.IsLeader)
        {
            _leadingTerm = 0;
            return;
        }

        var status = meta.Raft.Status;
        var now = context.Now;
        if (_leadingTerm != status.HardState.Term)
        {
            // A new leader has heard from nobody yet: every member gets the full grace from now.
            _leadingTerm = status.HardState.Term;
            _leadingSince = now;
            _heardAt.Clear();
            _waitForIndex = 0;
            _nextRoundAt = now + (long)settings.PlacementInterval.TotalMilliseconds;
        }

        _heardAt[meta.SelfReplicaId] = now;
        foreach (var (id, progress) in status.Progress)
        {
            if (progress.RecentActive)
            {
                _heardAt[id] = now;
            }
        }

        // A round decides on a map that shows every move asked for: its own last round's, and the rebalancer's.
        if (now < _nextRoundAt || meta.Applied < _waitForIndex || meta.Status.AppliedIndex < meta.Status.CommitIndex || status.LastIndex > meta.Applied
            || !map.IsBootstrapped)
        {
            return;
        }

        _nextRoundAt = now + (long)settings.PlacementInterval.TotalMilliseconds;
        Round(meta, map, status, leaders);
    }

    /// <summary>How long the meta leader has not heard from <paramref name="nodeId"/> (since it took over, for one never heard).</summary>
    private long SilenceOf(MetaReplica meta, string nodeId)
    {
        if (!meta.IsLeader || _leadingTerm == 0)
        {
            return 0;
        }

        return context.Now - _heardAt.GetValueOrDefault(ReplicaIds.For(nodeId), _leadingSince);
    }

    private void Round(MetaReplica meta, ClusterMap map, RaftStatus status, Func<int, string?>? leaders)
    {
        long Silence(string nodeId) => SilenceOf(meta, nodeId);
        var upWithin = (long)settings.UpWithin.TotalMilliseconds;
        var downAfter = (long)settings.DownAfter.TotalMilliseconds;
        var proposed = false;

        if (MetaChange(map, meta, status, Silence, upWithin, downAfter) is { } change)
        {
            meta.Propose(_nextTicket--, null, change);
            proposed = true;
        }

        foreach (var node in map.Nodes.Where(n => n.Membership == NodeRecord.Draining && !map.Shards.Any(s => s.IsHeldBy(n.Id))))
        {
            meta.Propose(_nextTicket--, MetaStateMachine.Encode(new CompleteDrain(node.Id, context.Now)), null);
            proposed = true;
        }

        var limits = new PlacementLimits(upWithin, downAfter, settings.MaxConcurrentMoves, (long)settings.PlacementCooldown.TotalMilliseconds);
        var decisions = PlacementPolicy.Decide(map, Silence, limits, context.Now, leaders);
        for (var i = 0; i < decisions.Count; i++)
        {
            var decision = decisions[i];
            // Unique per leader term and map version: a round repeated on the same map asks for the same ids, refused once taken.
            var id = FormattableString.Invariant($"m-p{status.HardState.Term}-{map.Version}-{i}");
            MetaCommand command = decision.IsLeadership
                ? new HandOverLeadership(new LeadershipHandover(decision.ShardId, decision.Target, PlacementPolicy.HandoverReason(decision), context.Now) { From = decision.Source })
                : new StartMigration(id, decision.ShardId, decision.Source, decision.Target, decision.Reason, "placement driver", context.Now, decision.Detail);
            meta.Propose(_nextTicket--, MetaStateMachine.Encode(command), null);
            proposed = true;
        }

        if (proposed)
        {
            // The next round decides on a map that shows what this one asked for.
            _waitForIndex = meta.Raft.Status.LastIndex;
        }
    }

    /// <summary>
    /// One change of the meta group's membership, or null: a removed node leaves it (a voter only if the rest keep a
    /// majority up); a voter down past DOWN_AFTER is replaced by a learner that is caught up, or simply removed when
    /// at least three voters remain with a majority of them up.
    /// </summary>
    private static ConfChange? MetaChange(ClusterMap map, MetaReplica meta, RaftStatus status, Func<string, long> silence, long upWithin, long downAfter)
    {
        var voters = status.ConfState.Voters;
        var learners = status.ConfState.Learners;
        var byReplica = map.Nodes.ToDictionary(n => n.ReplicaId);
        bool Up(ulong id) => id == meta.SelfReplicaId || (byReplica.TryGetValue(id, out var n) && silence(n.Id) <= upWithin);
        bool KeepsMajority(ulong leaving)
        {
            var rest = voters.Where(v => v != leaving).ToList();
            return rest.Count(Up) >= (rest.Count / 2) + 1;
        }

        foreach (var node in map.Nodes.Where(n => n.Membership == NodeRecord.Removed && n.ReplicaId != meta.SelfReplicaId))
        {
            if (learners.Contains(node.ReplicaId) || (voters.Contains(node.ReplicaId) && KeepsMajority(node.ReplicaId)))
            {
                return new ConfChange(ConfChangeType.RemoveNode, node.ReplicaId);
            }
        }

        var dead = voters.Where(v => v != meta.SelfReplicaId && byReplica.TryGetValue(v, out var n) && silence(n.Id) >= downAfter).ToList();
        if (dead.Count == 0)
        {
            return null;
        }

        var caughtUp = meta.Status.CaughtUp;
        var replacement = learners.Where(l => byReplica.TryGetValue(l, out var n) && n.IsActive && Up(l) && caughtUp.Contains(n.Id)).Order().FirstOrDefault();
        if (replacement != 0 && voters.Count < 5)
        {
            return new ConfChange(ConfChangeType.AddVoter, replacement);
        }

        return voters.Count - 1 >= 3 && KeepsMajority(dead[0]) ? new ConfChange(ConfChangeType.RemoveNode, dead[0]) : null;
    }

    /// <summary>Hands the leadership of <paramref name="group"/>, if this node leads it, to an active voter that holds everything committed.</summary>
    private void HandOver(ClusterMap map, GroupReplica group, ShardRecord? shard)
    {
        if (!group.IsLeader || group.IsRemoved
            || (_handedOverAt.TryGetValue(group.GroupId, out var at) && _ticks - at < settings.MigrationRetryTicks))
        {
            return;
        }

        var status = group.Raft.Status;
        var successor = status.ConfState.Voters
            .Where(v => v != group.SelfReplicaId && status.Progress.TryGetValue(v, out var p) && p.RecentActive && p.Match >= status.HardState.Commit)
            .Where(v => NodeOf(map, shard, v) is { IsActive: true })
            .Order()
            .FirstOrDefault();
        if (successor != 0)
        {
            _handedOverAt[group.GroupId] = _ticks;
            group.Raft.TransferLeadership(successor);
        }
    }

    private static NodeRecord? NodeOf(ClusterMap map, ShardRecord? shard, ulong replicaId) =>
        shard is null
            ? map.NodeByReplica(replicaId)
            : map.Nodes.FirstOrDefault(n => shard.IsHeldBy(n.Id) && shard.ReplicaIdOf(n.Id) == replicaId);
}
