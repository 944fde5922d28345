using NodeNomad.Core.Cluster;
using NodeNomad.Raft;

namespace NodeNomad.Node.Runtime;

/// <summary>
/// Runs the load-based rebalancer inside the node core, and so under the simulator exactly as in the node. On every
/// node it carries out the leadership hand-overs the meta group records for shards this node leads. On the meta
/// leader it also smooths the load figures the shell hands it (<see cref="Observe"/>: an exponentially weighted
/// moving average per replica), and every <see cref="RebalancerSettings.IntervalSeconds"/> runs
/// <see cref="Rebalancer.Decide"/> and proposes the moves decided. Its decision log (newest first, at most
/// <see cref="DecisionsKept"/>) lives in the meta leader's memory: a new leader starts a new one.
/// </summary>
internal sealed class RebalancerDriver(ReplicaContext context, NodeCoreSettings settings)
{
    /// <summary>How many decisions the log keeps.</summary>
    public const int DecisionsKept = 200;

    /// <summary>
    /// The weight of a new figure in the moving average: a step in load shows 89 % in ten seconds (a round, by default),
    /// while a second's noise counts a fifth. The load a shard's leader serves moves with its leadership (see
    /// <see cref="Observe"/>), so the average does not lag behind the rebalancer's own moves.
    /// </summary>
    private const double Smoothing = 0.2;

    /// <summary>Figures older than this are not decided by (the shell stopped sending them: this node may not lead the meta group).</summary>
    private const long FreshFor = 5_000;

    /// <summary>
    /// How long after a leadership move the old leaders' figures for the shard count as the new leader's, in
    /// milliseconds. A node reports each replica's rates as the average of its last ten seconds, so for that long after
    /// a move the new leader's figure still climbs from nothing and the old leader's still falls: taken as they are,
    /// they would show the new leader cooler than it is, and the next round would move more load onto it than it can
    /// take. Their sum is the shard's rate; once the window holds only seconds after the move, each figure is true again.
    /// </summary>
    internal const long ReportedWindow = 11_000;

    /// <summary>Figures needed before a first decision: a new meta leader's averages must settle first.</summary>
    private const int WarmUp = 3;

    private readonly Dictionary<(string Node, int Shard), (double Reads, double Writes)> _averages = [];
    private readonly Dictionary<int, string> _leaders = [];
    private readonly Dictionary<int, long> _handedAt = [];
    private readonly Dictionary<int, (long At, string[] From)> _movedAt = [];
    private readonly List<RebalancerDecision> _log = [];
    private volatile IReadOnlyList<RebalancerDecision> _published = [];
    private volatile RebalancerLoad _load = RebalancerLoad.None;
    private RebalancerMemory _memory = RebalancerMemory.Empty;
    private long _loadAt;
    private int _observed;
    private long? _lastRound;
    private long _ticks;
    private long _nextTicket = long.MinValue / 2;

    /// <summary>The decisions of this node's time as meta leader, newest first (an immutable list: safe to read anywhere).</summary>
    public IReadOnlyList<RebalancerDecision> Decisions => _published;

    /// <summary>The smoothed load the next decision goes by (an immutable record: safe to read anywhere).</summary>
    public RebalancerLoad Load => _load;

    /// <summary>
    /// Who leads each shard as the latest figures say, or null while there are none fresh (a new meta leader, a shell
    /// that stopped sending them): the placement driver balances leaderships by it.
    /// </summary>
    public Func<int, string?>? Leaders()
    {
        var load = _load;
        return _observed > 0 && context.Now - _loadAt <= FreshFor ? load.LeaderOf : null;
    }

    /// <summary>
    /// Takes the latest load figures: rates are averaged, sizes and roles taken as they are. When a shard's leadership
    /// moved since the last figures, the old and the new leader's averages change places first: the requests follow the
    /// leadership at once, and an average that had to climb from a follower's would show the new leader cool and the old
    /// one hot for seconds after the move. For <see cref="ReportedWindow"/> after the move, the figures the old leaders
    /// report for the shard count as the new leader's: their windows still hold the seconds they led.
    /// </summary>
    public void Observe(RebalancerLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        foreach (var shard in load.Nodes.SelectMany(n => n.Replicas.Where(r => r.Leads).Select(r => (n.NodeId, r.ShardId))))
        {
            if (_leaders.TryGetValue(shard.ShardId, out var before) && before != shard.NodeId)
            {
                if (_averages.TryGetValue((before, shard.ShardId), out var led))
                {
                    // A replica new to the group has no average to give back: the old leader's starts afresh from its next figure.
                    if (_averages.TryGetValue((shard.NodeId, shard.ShardId), out var followed))
                    {
                        _averages[(before, shard.ShardId)] = followed;
                    }
                    else
                    {
                        _averages.Remove((before, shard.ShardId));
                    }

                    _averages[(shard.NodeId, shard.ShardId)] = led;
                }

                var earlier = _movedAt.TryGetValue(shard.ShardId, out var moved) ? moved.From : [];
                _movedAt[shard.ShardId] = (context.Now, [.. earlier.Append(before).Where(n => n != shard.NodeId).Distinct()]);
            }

            _leaders[shard.ShardId] = shard.NodeId;
        }

        foreach (var settled in _movedAt.Where(m => context.Now - m.Value.At >= ReportedWindow).Select(m => m.Key).ToList())
        {
            _movedAt.Remove(settled);
        }

        var reported = load.Nodes.SelectMany(n => n.Replicas.Select(r => (Key: (n.NodeId, r.ShardId), Replica: r))).ToDictionary(x => x.Key, x => x.Replica);
        var seen = new HashSet<(string, int)>();
        var nodes = new List<RebalancerNodeLoad>();
        foreach (var node in load.Nodes)
        {
            var replicas = new List<RebalancerReplicaLoad>();
            foreach (var replica in node.Replicas)
            {
                var key = (node.NodeId, replica.ShardId);
                seen.Add(key);
                var (rawReads, rawWrites) = (replica.ReadsPerSecond, replica.WritesPerSecond);
                if (_movedAt.TryGetValue(replica.ShardId, out var move))
                {
                    if (move.From.Contains(node.NodeId))
                    {
                        (rawReads, rawWrites) = (0, 0);
                    }
                    else if (_leaders.GetValueOrDefault(replica.ShardId) == node.NodeId)
                    {
                        foreach (var from in move.From.Select(f => reported.GetValueOrDefault((f, replica.ShardId))).OfType<RebalancerReplicaLoad>())
                        {
                            (rawReads, rawWrites) = (rawReads + from.ReadsPerSecond, rawWrites + from.WritesPerSecond);
                        }
                    }
                }

                var (reads, writes) = _averages.TryGetValue(key, out var last)
                    ? ((Smoothing * rawReads) + ((1 - Smoothing) * last.Reads), (Smoothing * rawWrites) + ((1 - Smoothing) * last.Writes))
                    : (rawReads, rawWrites);
                _averages[key] = (reads, writes);
                replicas.Add(replica with { ReadsPerSecond = reads, WritesPerSecond = writes });
            }

            nodes.Add(node with { Replicas = replicas });
        }

        foreach (var gone in _averages.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _averages.Remove(gone);
        }

        _load = new RebalancerLoad(nodes);
        _loadAt = context.Now;
        _observed++;
    }

    /// <summary>One tick: hand-overs this node must carry out, and (on the meta leader, when due) a round of decisions.</summary>
    public void Tick(MetaReplica meta, IReadOnlyDictionary<int, ShardReplica> shards)
    {
        _ticks++;
        var map = meta.Map;
        HandOver(map, shards);
        if (!meta.IsLeader)
        {
            if (_observed > 0)
            {
                // A later term as meta leader starts from fresh figures and forgets which nodes it was balancing.
                (_observed, _lastRound, _memory, _load) = (0, null, RebalancerMemory.Empty, RebalancerLoad.None);
                _averages.Clear();
                _leaders.Clear();
                _movedAt.Clear();
            }

            return;
        }

        var status = meta.Status;
        var rules = map.RebalancerSettings;
        var now = context.Now;
        // Nor while a proposal is not applied yet (the placement driver's, this tick): every decision sees every move asked.
        if (status.AppliedIndex < status.CommitIndex || meta.Raft.Status.LastIndex > meta.Applied || _observed < WarmUp || now - _loadAt > FreshFor
            || (_lastRound is { } last && now - last < rules.IntervalSeconds * 1000L))
        {
            return;
        }

        _lastRound = now;
        var plan = Rebalancer.Decide(map, _load, rules, now, _memory);
        _memory = plan.Memory;
        foreach (var decision in plan.Decisions)
        {
            Record(decision);
        }

        foreach (var command in plan.Commands)
        {
            meta.Propose(_nextTicket++, MetaStateMachine.Encode(command), null);
        }
    }

    private void Record(RebalancerDecision decision)
    {
        // A node that stays hot with nothing to do would fill the log with one hold a round, its figures a little
        // different each time: consecutive holds (or settlings) of the same node are one entry, the latest, counted.
        if (_log.Count > 0 && _log[0] is var previous && !decision.IsMove && previous.Action == decision.Action
            && previous.ShardId == decision.ShardId && previous.Source == decision.Source)
        {
            _log[0] = decision with { Id = previous.Id, Repeats = previous.Repeats + 1 };
        }
        else
        {
            _log.Insert(0, decision);
            if (_log.Count > DecisionsKept)
            {
                _log.RemoveAt(_log.Count - 1);
            }
        }

        _published = [.. _log];
    }

    /// <summary>
    /// The leader of a shard with a fresh hand-over request passes its leadership on (retried now and then while the
    /// request is fresh: a transfer to a target that lags is abandoned by Raft after an election timeout). A shard
    /// that is migrating is left to its migration, which moves leadership itself.
    /// </summary>
    private void HandOver(ClusterMap map, IReadOnlyDictionary<int, ShardReplica> shards)
    {
        foreach (var handover in map.Handovers)
        {
            if (!handover.IsFresh(context.Now) || handover.Target == settings.SelfId || map.MovingShard(handover.ShardId) is not null
                || shards.GetValueOrDefault(handover.ShardId) is not { IsLeader: true, IsRemoved: false } shard
                || map.Shard(handover.ShardId) is not { } record || !record.Replicas.Contains(handover.Target))
            {
                continue;
            }

            var target = record.ReplicaIdOf(handover.Target);
            if (!shard.Raft.Status.ConfState.Voters.Contains(target)
                || (_handedAt.TryGetValue(handover.ShardId, out var at) && _ticks - at < settings.MigrationRetryTicks))
            {
                continue;
            }

            _handedAt[handover.ShardId] = _ticks;
            shard.Raft.TransferLeadership(target);
        }
    }
}
