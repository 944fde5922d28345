namespace NodeNomad.Raft.Simulation.Tests;

internal sealed partial class ShardedClusterSimulation
{
    private bool _faultsStopped;

    private void ScheduleNextFault() =>
        _events.After(Random.Next(Settings.Raft.FaultInterval / 2, Settings.Raft.FaultInterval * 3 / 2), InjectFault);

    /// <summary>The single-group simulator's faults, at node level: a crash, a pause or a cut takes every group on the node with it.</summary>
    private void InjectFault()
    {
        if (_faultsStopped)
        {
            return;
        }

        var roll = Random.Next(100);
        if (roll < 20)
        {
            CrashOne();
        }
        else if (roll < 32)
        {
            PartitionSymmetric();
        }
        else if (roll < 42)
        {
            PartitionAsymmetric();
        }
        else if (roll < 58)
        {
            Trace.Add(Now, "heal", 0);
            _network.HealAll();
        }
        else if (roll < 70)
        {
            TransferLeadership();
        }
        else if (roll < 76)
        {
            ForceElection();
        }
        else if (roll < 86)
        {
            PauseOne();
        }
        else
        {
            CompactOne();
        }

        ScheduleNextFault();
    }

    private List<ShardedSimulatedNode> LiveNodes() => _nodes.Values.Where(node => node.IsUp).ToList();

    private T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    /// <summary>The node whose replicas lead the most groups (the lowest id among equals), if any leads.</summary>
    private ShardedSimulatedNode? BusiestLeader() =>
        _nodes.Values
            .Select(node => (Node: node, Leads: node.Replicas.Count(replica => replica.IsLeader)))
            .Where(candidate => candidate.Leads > 0)
            .OrderByDescending(candidate => candidate.Leads)
            .Select(candidate => candidate.Node)
            .FirstOrDefault();

    /// <summary>Crashes a node (often the one leading most groups); it restarts from its disk a while later.</summary>
    private void CrashOne()
    {
        var live = LiveNodes();
        var down = Nodes - live.Count;
        // Usually one node at a time, sometimes two (a shard or the meta group may lose its majority), now and then all.
        var allowed = Random.Next(10) == 0 ? Nodes : Random.Next(3) == 0 ? 2 : 1;
        if (live.Count == 0 || down >= allowed)
        {
            return;
        }

        var victim = Random.Next(5) < 2 && BusiestLeader() is { } leader ? leader : Pick(live);
        victim.Crash();
        _faults.Crashes++;
        var incarnation = victim.Incarnation;
        _events.After(Random.Next(20, 1_500), () =>
        {
            if (victim.Incarnation == incarnation && !victim.IsUp)
            {
                StartNode(victim);
            }
        });
    }

    private void PauseOne()
    {
        var live = LiveNodes();
        if (live.Count == 0)
        {
            return;
        }

        var victim = Random.Next(2) == 0 && BusiestLeader() is { } leader ? leader : Pick(live);
        victim.PausedUntil = Math.Max(victim.PausedUntil, Now + Random.Next(50, 1_500));
        _faults.Pauses++;
        Trace.Add(Now, "pause", victim.Id, (ulong)victim.PausedUntil);
    }

    /// <summary>Splits the nodes in two sides that cannot reach each other; often the meta group's leader alone.</summary>
    private void PartitionSymmetric()
    {
        var nodes = _nodes.Keys.ToList();
        var side = Random.Next(3) == 0 && CurrentLeader(0) is { } leader
            ? [leader.Host.Id]
            : nodes.OrderBy(_ => Random.Next()).Take(Random.Next(1, 3)).ToList();
        _network.Partition(side, nodes);
        _faults.Partitions++;
        Trace.Add(Now, "partition", 0, (ulong)side.Count, side.Aggregate(0UL, (bits, id) => bits | (1UL << (int)id)));
    }

    /// <summary>Cuts links in one direction only; sometimes a node that leads groups can send but not hear.</summary>
    private void PartitionAsymmetric()
    {
        var nodes = _nodes.Keys.ToList();
        if (Random.Next(3) == 0 && BusiestLeader() is { } leader)
        {
            foreach (var other in nodes.Where(id => id != leader.Id))
            {
                _network.Cut(other, leader.Id);
            }

            Trace.Add(Now, "deafen", leader.Id);
        }
        else
        {
            for (var i = Random.Next(1, 4); i > 0; i--)
            {
                var from = Pick(nodes);
                var to = Pick(nodes);
                _network.Cut(from, to);
                Trace.Add(Now, "cut", from, to);
            }
        }

        _faults.Partitions++;
    }

    /// <summary>A group's leader (of a random group) hands leadership to another voter.</summary>
    private void TransferLeadership()
    {
        var group = Random.Next(Settings.Shards + 1);
        if (CurrentLeader(group) is not { } leader || Now < leader.Host.PausedUntil)
        {
            return;
        }

        var voters = leader.Raft.Status.ConfState.Voters.Where(id => id != leader.Peer).ToList();
        if (voters.Count == 0)
        {
            return;
        }

        var transferee = Pick(voters);
        Trace.Add(Now, "transfer", leader.Peer, transferee);
        leader.Raft.TransferLeadership(transferee);
        _faults.Transfers++;
        AfterInput(leader.Host);
    }

    /// <summary>A replica (of a random group on a random node) starts an election out of turn.</summary>
    private void ForceElection()
    {
        var live = LiveNodes().Where(node => Now >= node.PausedUntil).ToList();
        if (live.Count == 0)
        {
            return;
        }

        var node = Pick(live);
        var replica = Pick(node.Replicas.ToList());
        Trace.Add(Now, "campaign", replica.Peer);
        replica.Raft.Campaign();
        AfterInput(node);
    }

    private void CompactOne()
    {
        var live = LiveNodes().Where(node => Now >= node.PausedUntil).ToList();
        if (live.Count == 0)
        {
            return;
        }

        var node = Pick(live);
        Pick(node.Replicas.ToList()).Compact();
        _faults.Compactions++;
        AfterInput(node);
    }

    /// <summary>
    /// Called whenever a replica applies a membership change; the first time means it is committed. A replica
    /// removed from its group may never hear of it: its node deletes it a little later (when the node is up).
    /// </summary>
    public void MembershipApplied(ShardedGroupReplica replica, ConfChange change, ulong index)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(change);
        if (!_appliedChanges.Add((replica.Group, index)))
        {
            return;
        }

        _committedChanges.Add((replica.Group, change.Type, change.NodeId));

        if (index > (ulong)(replica.Group == 0 ? Nodes : ReplicationFactor))
        {
            _faults.MembershipChanges++;
        }

        if (change.Type == ConfChangeType.RemoveNode && _removedAt.TryAdd((replica.Group, change.NodeId), index))
        {
            var group = replica.Group;
            _events.After(Random.Next(0, 500), () => Collect(group, change.NodeId));
        }
    }

    /// <summary>Deletes a removed replica from its node, once the node is up and awake.</summary>
    private void Collect(int group, ulong peer)
    {
        if (ReplicaOf(group, peer) is not { } removed)
        {
            return;
        }

        if (!removed.Host.IsUp || Now < removed.Host.PausedUntil)
        {
            _events.After(100, () => Collect(group, peer));
            return;
        }

        Trace.Add(Now, "collect", peer, (ulong)group);
        removed.Host.Destroy(removed);
    }

    /// <summary>Ends the fault phase: no more faults, moves or new client operations; every link heals, every node comes back.</summary>
    private void Heal()
    {
        _faultsStopped = true;
        Trace.Add(Now, "heal-all", 0);
        _network.HealAll();
        _network.DropRate = 0;
        _network.DuplicateRate = 0;
        _network.SlowRate = 0;
        foreach (var node in _nodes.Values)
        {
            node.PausedUntil = Math.Min(node.PausedUntil, Now);
        }

        foreach (var node in _nodes.Values.Where(node => !node.IsUp).ToList())
        {
            StartNode(node);
        }

        _events.After(0, CheckConvergence);
    }

    private void CheckConvergence()
    {
        if (Converged())
        {
            _convergedAt = Now;
            Trace.Add(Now, "converged", 0);
            StartProbes();
            return;
        }

        _events.After(25, CheckConvergence);
    }

    /// <summary>
    /// No move under way and no client waiting; every group has a leader whose whole log is committed and applied by
    /// every member; every shard's group has exactly the voters the meta group's map gives it; removed replicas are deleted.
    /// </summary>
    private bool Converged() => _move is null && !_clients.Any(client => client.Operations.Busy) && Unconverged() is null;

    /// <summary>Why the cluster has not converged, or null when it has.</summary>
    private string? Unconverged()
    {
        if (CurrentLeader(0) is not { Meta: { } meta })
        {
            return "the meta group has no leader";
        }

        for (var group = 0; group <= Settings.Shards; group++)
        {
            if (GroupLaggards(group) is { } laggards)
            {
                return laggards;
            }

            if (group > 0)
            {
                var voters = CurrentLeader(group)!.Raft.Status.ConfState;
                var mapped = meta.Placements[group - 1].Replicas.Select(replica => replica.Peer).Order();
                if (voters.Learners.Count > 0 || !voters.Voters.Order().SequenceEqual(mapped))
                {
                    return $"shard {group}'s group has voters [{string.Join(",", voters.Voters)}] learners [{string.Join(",", voters.Learners)}], but the map says {meta.Placements[group - 1]}";
                }
            }
        }

        foreach (var ((group, peer), _) in _removedAt)
        {
            if (ReplicaOf(group, peer) is not null)
            {
                return $"replica {peer} of group {group} was removed but is not deleted";
            }
        }

        return null;
    }

    private string? GroupLaggards(int group)
    {
        if (CurrentLeader(group) is not { } leader)
        {
            return $"group {group} has no leader";
        }

        var status = leader.Raft.Status;
        var commit = status.HardState.Commit;
        if (commit != status.LastIndex || leader.Applied != commit)
        {
            return $"group {group}'s leader {leader.Peer} of term {status.HardState.Term} commits {commit} of {status.LastIndex} and applied {leader.Applied}";
        }

        foreach (var member in status.ConfState.Voters.Concat(status.ConfState.Learners))
        {
            if (ReplicaOf(group, member) is not { Node: { } node } replica)
            {
                return $"group {group}'s member {member} is down";
            }

            if (node.Status.HardState.Commit != commit || replica.Applied != commit)
            {
                return $"group {group}'s leader {leader.Peer} is at {commit}, but member {member} has applied {replica.Applied} (commit {node.Status.HardState.Commit}, log ends at {node.Status.LastIndex})";
            }
        }

        return null;
    }

    private string Laggards()
    {
        var parts = new List<string>();
        if (Unconverged() is { } why)
        {
            parts.Add(why);
        }

        if (_move is { } move)
        {
            parts.Add($"move {move} unfinished");
        }

        var waiting = _clients.Count(client => client.Operations.Busy);
        if (waiting > 0)
        {
            parts.Add($"{waiting} clients still wait");
        }

        return parts.Count > 0 ? string.Join("; ", parts) : "it converged only at the deadline";
    }
}
