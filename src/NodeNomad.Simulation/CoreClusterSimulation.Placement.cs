using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;

namespace NodeNomad.Simulation;

// Placement through the real core: with the placement driver on, the simulated operator drains a node (one at a
// time, so a node is always free for every shard), brings drained nodes back, and a node is killed for longer than
// DOWN_AFTER so that its replicas are re-created elsewhere; the fifth node joins and receives its share. The meta
// leader's driver decides every move; the core's migration driver makes them, faults and all. At the end, after
// the faults heal: every shard has its replication factor of voters on active nodes that are up, no node is still
// draining, a drained node holds nothing, and the active nodes are within one replica of each other.
public sealed partial class CoreClusterSimulation
{
    /// <summary>Virtual milliseconds between the placement driver's rounds.</summary>
    public const int PlacementInterval = 200;

    /// <summary>Virtual milliseconds of silence after which a node's replicas are re-created elsewhere.</summary>
    public const int DownAfter = 1_000;

    /// <summary>Virtual milliseconds of silence up to which a node counts as up for placement.</summary>
    public const int UpWithin = 300;

    private readonly HashSet<CoreSimNode> _keptDown = [];
    private int _drains;
    private int _undrains;
    private int _longKills;
    private long _nextPlacementOperationAt = 300;

    /// <summary>One or two nodes killed for longer than DOWN_AFTER during the fault phase; they come back before it ends, or at the heal.</summary>
    private void SchedulePlacementFaults()
    {
        var kills = 1 + Random.Next(2);
        for (var i = 0; i < kills; i++)
        {
            var at = Random.Next(300, (int)Math.Max(400, Settings.FaultPhase / 2));
            var down = DownAfter + Random.Next(200, 1_500);
            _events.At(at, () =>
            {
                var candidates = _nodes.Where(n => n.IsUp && !_keptDown.Contains(n)).ToList();
                // Never more than one node down for long: the others must keep every shard's majority.
                if (_healedAt >= 0 || _keptDown.Count > 0 || candidates.Count == 0)
                {
                    return;
                }

                var victim = candidates[Random.Next(candidates.Count)];
                _longKills++;
                _keptDown.Add(victim);
                Trace.Add(Now, "kill-long", (ulong)victim.Index, (ulong)down);
                Crash(victim, keepSave: Random.Next(2) == 0);
                _events.After(down, () =>
                {
                    _keptDown.Remove(victim);
                    if (_healedAt < 0)
                    {
                        Restart(victim);
                    }
                });
            });
        }
    }

    /// <summary>
    /// The steward of a cluster whose nodes come and go: any node that is up and not removed, but outside the meta group
    /// (a joiner, or a voter the placement driver replaced while it was down), is added as a learner, and a learner
    /// that caught up is promoted while there are fewer than five voters — as the node's own steward does.
    /// </summary>
    private void PlacementSteward(CoreSimNode node, NodeCore core)
    {
        var map = core.Map;
        var meta = core.Meta.Status;
        var outside = _nodes.FirstOrDefault(n => n.IsUp && map.Node(n.Id) is { Membership: not NodeRecord.Removed }
            && !meta.Voters.Contains(n.Id) && !meta.Learners.Contains(n.Id));
        if (outside is not null)
        {
            core.Propose(++_nextTicket, 0, null, new ConfChange(ConfChangeType.AddLearner, outside.ReplicaId));
            return;
        }

        if (meta.Voters.Count < 5 && meta.Learners.FirstOrDefault(l => meta.CaughtUp.Contains(l)) is { } learner)
        {
            core.Propose(++_nextTicket, 0, null, new ConfChange(ConfChangeType.AddVoter, ReplicaIds.For(learner)));
            return;
        }

        OperatePlacement(node, core);
    }

    /// <summary>On the meta leader, now and then: drain an active node when none is leaving, or bring the leaving one back.</summary>
    private void OperatePlacement(CoreSimNode node, NodeCore core)
    {
        var map = core.Map;
        if (_healedAt >= 0 || Now < _nextPlacementOperationAt)
        {
            return;
        }

        _nextPlacementOperationAt = Now + Random.Next(300, 1_200);
        var at = node.CommandClock.Now;
        var leaving = map.Nodes.FirstOrDefault(n => n.Membership is NodeRecord.Draining or NodeRecord.Drained);
        if (leaving is not null)
        {
            if (Random.Next(3) == 0)
            {
                _undrains++;
                Trace.Add(Now, "undrain", (ulong)IndexOf(leaving.Id));
                core.Propose(++_nextTicket, 0, MetaStateMachine.Encode(new UndrainNode(leaving.Id, at, "simulated operator")));
            }

            return;
        }

        var active = map.Nodes.Where(n => n.IsActive).ToList();
        if (active.Count > 0 && Random.Next(2) == 0)
        {
            var victim = active[Random.Next(active.Count)];
            _drains++;
            Trace.Add(Now, "drain", (ulong)IndexOf(victim.Id));
            core.Propose(++_nextTicket, 0, MetaStateMachine.Encode(new DrainNode(victim.Id, at, "simulated operator")));
        }
    }

    /// <summary>Why placement has not reached its goal on the meta leader's map, or null when it has.</summary>
    private string? PlacementSettled()
    {
        var leader = _nodes.FirstOrDefault(n => n.Core?.Meta is { IsLeader: true });
        if (leader is null)
        {
            return "no meta leader";
        }

        var map = leader.Core!.Map;
        if (map.Nodes.FirstOrDefault(n => n.Membership == NodeRecord.Draining) is { } draining)
        {
            return $"{draining.Id} is still draining";
        }

        foreach (var shard in map.Shards)
        {
            var misplaced = shard.Replicas.Where(r => map.Node(r) is not { IsActive: true } || _nodes.First(n => n.Id == r) is not { IsUp: true }).ToList();
            if (shard.Replicas.Count != Settings.ReplicationFactor || misplaced.Count > 0 || shard.Learners.Count > 0)
            {
                return $"shard {shard.Id} has voters [{string.Join(",", shard.Replicas)}] and learners [{string.Join(",", shard.Learners)}]";
            }
        }

        if (map.Nodes.FirstOrDefault(n => n.Membership == NodeRecord.Drained && map.Shards.Any(s => s.IsHeldBy(n.Id))) is { } holding)
        {
            return $"{holding.Id} is drained but holds replicas";
        }

        var counts = map.Nodes.Where(n => n.IsActive).Select(n => map.Shards.Count(s => s.IsHeldBy(n.Id))).ToList();
        return counts.Count > 0 && counts.Max() - counts.Min() > 1
            ? $"the active nodes hold {string.Join(", ", map.Nodes.Where(n => n.IsActive).Select(n => $"{n.Id}: {map.Shards.Count(s => s.IsHeldBy(n.Id))}"))} replicas"
            : null;
    }
}
