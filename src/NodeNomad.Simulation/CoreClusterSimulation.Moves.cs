using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;

namespace NodeNomad.Simulation;

// Replica moves through the real core: the map records the learner, the shard's leader adds it, promotes it once it
// caught up, removes the replica it replaces, and the map records the new replica set — each step a new epoch or a
// membership change, each retried until it shows, so crashes and partitions meet moves at every step.
public sealed partial class CoreClusterSimulation
{
    private Move? _move;
    private int _movesDone;
    private long _nextMoveAt = 300;

    private sealed record Move(int Shard, string From, string To);

    /// <summary>One step of the move under way, or a new move: run on the node whose steward ticks, with its core.</summary>
    private void DriveMoves(NodeCore core)
    {
        if (!core.Meta.IsLeader || !core.Map.IsBootstrapped)
        {
            return;
        }

        var map = core.Map;
        if (_move is null)
        {
            if (_healedAt >= 0 || Now < _nextMoveAt)
            {
                return;
            }

            var shard = map.Shards[Random.Next(map.Shards.Count)];
            var candidates = map.Nodes.Select(n => n.Id).Where(id => !shard.IsHeldBy(id)).ToList();
            // Only a group that has elected a leader is moved: until then its founders may not all have written
            // the group's first membership, and a founder that restarts into a later epoch starts empty.
            if (candidates.Count == 0 || shard.Learners.Count > 0 || ShardLeader(shard.Id) is null)
            {
                return;
            }

            _move = new Move(shard.Id, shard.Replicas[Random.Next(shard.Replicas.Count)], candidates[Random.Next(candidates.Count)]);
            Trace.Add(Now, "move-start", (ulong)_move.Shard, (ulong)IndexOf(_move.From), (ulong)IndexOf(_move.To));
        }

        var move = _move;
        var record = map.Shards[move.Shard];
        var leader = ShardLeader(move.Shard);
        var status = leader?.Core!.Shards[move.Shard].Status;
        if (!record.IsHeldBy(move.To))
        {
            if (record.Replicas.Contains(move.From))
            {
                core.Propose(++_nextTicket, 0, MetaStateMachine.Encode(new SetShardReplicas(move.Shard, record.Epoch, record.Replicas, [.. record.Learners, move.To])));
            }
            else
            {
                // The last step showed: the map no longer holds the old replica and holds the new one as a voter.
                Finished();
            }

            return;
        }

        if (record.Replicas.Contains(move.To))
        {
            Finished();
            return;
        }

        if (leader is null || status is null)
        {
            return;
        }

        var target = ReplicaIds.For(move.To);
        if (!status.Voters.Contains(move.To) && !status.Learners.Contains(move.To))
        {
            Propose(leader, move.Shard, new ConfChange(ConfChangeType.AddLearner, target));
        }
        else if (status.Learners.Contains(move.To) && status.CaughtUp.Contains(move.To))
        {
            Propose(leader, move.Shard, new ConfChange(ConfChangeType.AddVoter, target));
        }
        else if (status.Voters.Contains(move.To) && status.Voters.Contains(move.From) && leader.Id == move.From)
        {
            // The replica leaving leads: it hands leadership to the new one first (a removed leader would leave the
            // others waiting to hear that its removal committed).
            leader.Enqueue(c => c.TransferLeadership(ShardRecord.GroupOf(move.Shard), target));
            ScheduleTurn(leader);
        }
        else if (status.Voters.Contains(move.To) && status.Voters.Contains(move.From))
        {
            Propose(leader, move.Shard, new ConfChange(ConfChangeType.RemoveNode, ReplicaIds.For(move.From)));
        }
        else if (status.Voters.Contains(move.To))
        {
            core.Propose(++_nextTicket, 0, MetaStateMachine.Encode(new SetShardReplicas(move.Shard, record.Epoch,
                [.. record.Replicas.Where(r => r != move.From), move.To], [.. record.Learners.Where(l => l != move.To)])));
        }
    }

    private void Finished()
    {
        Trace.Add(Now, "move-done", (ulong)_move!.Shard, (ulong)IndexOf(_move.From), (ulong)IndexOf(_move.To));
        _movesDone++;
        _move = null;
        _nextMoveAt = Now + Random.Next(100, 1000);
    }

    private void Propose(CoreSimNode leader, int shard, ConfChange change)
    {
        leader.Enqueue(core =>
        {
            if (core.Shards.TryGetValue(shard, out var replica))
            {
                core.Propose(++_nextTicket, replica.GroupId, null, change);
            }
        });
        ScheduleTurn(leader);
    }

    /// <summary>The live node whose replica of <paramref name="shard"/> leads in the highest term.</summary>
    private CoreSimNode? ShardLeader(int shard) =>
        _nodes.Where(n => n.Core?.Shards.GetValueOrDefault(shard) is { IsLeader: true, IsRemoved: false })
            .OrderByDescending(n => n.Core!.Shards[shard].Status.Term)
            .FirstOrDefault();

    private int IndexOf(string nodeId) => _nodes.FindIndex(n => n.Id == nodeId) + 1;
}
