namespace NodeNomad.Raft.Simulation.Tests;

internal sealed partial class ShardedClusterSimulation
{
    /// <summary>How often the placement driver looks at the move under way.</summary>
    private const int MoveDriverPeriod = 20;

    /// <summary>A proposal the driver made is given this long to apply before the driver proposes again.</summary>
    private const int ProposalPatience = 1_000;

    private ShardedReplicaMove? _move;
    private long _nextMoveAt;
    private int _movesDone;

    /// <summary>
    /// The placement driver: one replica move at a time, each step through the shard group's log (add a learner on
    /// a node without the shard, let it catch up, promote it, hand leadership off the leaving replica, remove that
    /// replica), then a meta command that records the new replica set and bumps the shard's epoch. Moves start only
    /// during the fault phase; one under way when it ends is finished.
    /// </summary>
    private void DriveMoves()
    {
        if (_convergedAt >= 0)
        {
            return;
        }

        if (_move is { } move)
        {
            StepMove(move);
        }
        else if (!_faultsStopped && Now >= _nextMoveAt)
        {
            StartMove();
        }

        _events.After(MoveDriverPeriod, DriveMoves);
    }

    private void StartMove()
    {
        // The driver reads the map from an up-to-date meta leader and checks it against an up-to-date leader of the
        // shard's group: a map or a membership that lags would send it the wrong way.
        if (UpToDateLeader(0) is not { Meta: { } meta })
        {
            return;
        }

        var placement = meta.Placements[Random.Next(meta.Placements.Count)];
        if (UpToDateLeader(placement.Shard) is not { } leader
            || leader.Raft.Status.ConfState is not { Learners.Count: 0 } conf
            || !conf.Voters.Order().SequenceEqual(placement.Replicas.Select(replica => replica.Peer).Order()))
        {
            return;
        }

        var targets = _nodes.Values.Where(node => node.IsUp && !placement.IsOn(node.Id) && !node.Hosts(placement.Shard)).ToList();
        if (targets.Count == 0)
        {
            return;
        }

        var target = Pick(targets);
        var source = placement.Replicas[Random.Next(placement.Replicas.Count)];
        var peer = _nextPeer++;
        _nodeOfPeer[peer] = target.Id;
        // The new replica starts empty and learns its group from the leader.
        Host(target, placement.Shard, peer, members: null, ReplicationFactor);
        AfterInput(target);
        _move = new ShardedReplicaMove(placement.Shard, source.Node, source.Peer, target.Id, peer, placement.Epoch)
        {
            HandsOff = Random.Next(3) != 0,
            StartedAt = Now,
        };
        Trace.Add(Now, "move-start", target.Id, (ulong)placement.Shard, source.Peer, peer);
    }

    /// <summary>
    /// Advances the move. A step is done once some replica applied its change (it is then committed): never judged
    /// from one leader's membership, which may be a deposed leader's, behind the group.
    /// </summary>
    private void StepMove(ShardedReplicaMove move)
    {
        var shard = move.Shard;
        switch (move.Step)
        {
            case ShardedMoveStep.AddLearner when Committed(shard, ConfChangeType.AddLearner, move.TargetPeer) || Committed(shard, ConfChangeType.AddVoter, move.TargetPeer):
                Next(move, ShardedMoveStep.CatchUp);
                return;
            case ShardedMoveStep.Promote when Committed(shard, ConfChangeType.AddVoter, move.TargetPeer):
                Next(move, move.HandsOff ? ShardedMoveStep.HandOff : ShardedMoveStep.RemoveSource);
                return;
            case ShardedMoveStep.RemoveSource when Committed(shard, ConfChangeType.RemoveNode, move.SourcePeer):
                Next(move, ShardedMoveStep.RecordInMeta);
                return;
            case ShardedMoveStep.RecordInMeta:
                RecordMove(move);
                return;
        }

        if (CurrentLeader(shard) is not { } leader || Now < leader.Host.PausedUntil)
        {
            return;
        }

        var status = leader.Raft.Status;
        switch (move.Step)
        {
            case ShardedMoveStep.AddLearner:
                ProposeChange(move, leader, new ConfChange(ConfChangeType.AddLearner, move.TargetPeer));
                break;
            case ShardedMoveStep.CatchUp:
                if (status.Progress.TryGetValue(move.TargetPeer, out var progress) && progress.Match >= status.HardState.Commit)
                {
                    Next(move, ShardedMoveStep.Promote);
                }

                break;
            case ShardedMoveStep.Promote:
                ProposeChange(move, leader, new ConfChange(ConfChangeType.AddVoter, move.TargetPeer));
                break;
            case ShardedMoveStep.HandOff when leader.Peer != move.SourcePeer || move.HandOffAttempts >= 3:
                Next(move, ShardedMoveStep.RemoveSource);
                break;
            case ShardedMoveStep.HandOff when Now >= move.RetryAt:
                var transferee = Pick(status.ConfState.Voters.Where(voter => voter != move.SourcePeer).ToList());
                Trace.Add(Now, "hand-off", leader.Peer, transferee);
                leader.Raft.TransferLeadership(transferee);
                move.HandOffAttempts++;
                move.RetryAt = Now + 300;
                AfterInput(leader.Host);
                break;
            case ShardedMoveStep.RemoveSource:
                ProposeChange(move, leader, new ConfChange(ConfChangeType.RemoveNode, move.SourcePeer));
                break;
        }
    }

    private bool Committed(int group, ConfChangeType type, ulong peer) => _committedChanges.Contains((group, type, peer));

    /// <summary>
    /// The leader of <paramref name="group"/> if its view is the group's latest: nobody has reached a later term, it
    /// has committed an entry of its own term (so its commit index covers everything committed before), and it has
    /// applied up to it. A deposed leader that has not heard of it yet fails the first test.
    /// </summary>
    private ShardedGroupReplica? UpToDateLeader(int group)
    {
        if (CurrentLeader(group) is not { } leader)
        {
            return null;
        }

        var hardState = leader.Raft.Status.HardState;
        return hardState.Term == _monitors[group].MaxTerm && leader.Disk.TermAt(hardState.Commit) == hardState.Term && leader.Applied == hardState.Commit
            ? leader
            : null;
    }

    private void Next(ShardedReplicaMove move, ShardedMoveStep step)
    {
        move.Step = step;
        move.RetryAt = 0;
        Trace.Add(Now, "move-step", (ulong)move.Shard, (ulong)step);
    }

    private void ProposeChange(ShardedReplicaMove move, ShardedGroupReplica leader, ConfChange change)
    {
        if (Now < move.RetryAt)
        {
            return;
        }

        var result = leader.Raft.ProposeConfChange(change);
        Trace.Add(Now, "propose-conf", leader.Peer, ((ulong)change.Type << 32) | change.NodeId, result.Index, result.Term);
        move.RetryAt = Now + (result.Accepted ? ProposalPatience : 3 * MoveDriverPeriod);
        AfterInput(leader.Host);
    }

    /// <summary>Records the move in the meta group; done once the meta leader has applied a newer epoch of the shard.</summary>
    private void RecordMove(ShardedReplicaMove move)
    {
        if (CurrentLeader(0) is not { Meta: { } meta } metaLeader || Now < metaLeader.Host.PausedUntil)
        {
            return;
        }

        var placement = meta.Placements[move.Shard - 1];
        if (placement.Epoch > move.Epoch)
        {
            // Only the driver changes the map, one move at a time: the newer epoch is this move's.
            if (placement.Epoch != move.Epoch + 1 || !placement.IsOn(move.TargetNode) || placement.IsOn(move.SourceNode))
            {
                throw new InvariantViolationException($"The meta group recorded {placement} for move {move}.");
            }

            _move = null;
            _movesDone++;
            _nextMoveAt = Now + Random.Next(Settings.MoveInterval / 2, Settings.MoveInterval * 3 / 2);
            Trace.Add(Now, "move-done", (ulong)move.Shard, placement.Epoch);
            return;
        }

        if (Now < move.RetryAt)
        {
            return;
        }

        var command = new ShardedMetaCommand(++_commandIds, move.Shard, move.Epoch, move.SourceNode, move.SourcePeer, move.TargetNode, move.TargetPeer);
        var result = metaLeader.ProposeMeta(command);
        move.RetryAt = Now + (result.Accepted ? ProposalPatience : 3 * MoveDriverPeriod);
        AfterInput(metaLeader.Host);
    }
}
