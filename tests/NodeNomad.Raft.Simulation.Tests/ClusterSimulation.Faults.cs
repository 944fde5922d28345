namespace NodeNomad.Raft.Simulation.Tests;

internal sealed partial class ClusterSimulation
{
    /// <summary>The group never shrinks below this many voters.</summary>
    private const int MinVoters = 3;

    /// <summary>Voters plus learners the nemesis grows the group to at most.</summary>
    private const int MaxMembers = 7;

    private readonly FaultCounts _faults = new();
    private ulong _nextReplicaId;
    private bool _faultsStopped;
    private (ConfChange Change, long Deadline)? _membershipChange;

    private void ScheduleNextFault() =>
        _events.After(Random.Next(Settings.FaultInterval / 2, Settings.FaultInterval * 3 / 2), InjectFault);

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
        else if (roll < 56)
        {
            Trace.Add(Now, "heal", 0);
            _network.HealAll();
        }
        else if (roll < 70)
        {
            ChangeMembership();
        }
        else if (roll < 80)
        {
            TransferLeadership();
        }
        else if (roll < 84)
        {
            ForceElection();
        }
        else if (roll < 90)
        {
            PauseOne();
        }
        else
        {
            CompactOne();
        }

        ScheduleNextFault();
    }

    private List<SimulatedReplica> Live() => _replicas.Values.Where(replica => replica.IsUp).ToList();

    private List<ulong> Members() => _replicas.Values.Where(replica => !replica.IsDecommissioned).Select(replica => replica.Id).ToList();

    private T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    /// <summary>Crashes a replica (the leader, often); it restarts from its disk a while later.</summary>
    private void CrashOne()
    {
        var live = Live();
        var down = _replicas.Values.Count(replica => !replica.IsUp && !replica.IsDecommissioned);
        // Usually a minority at a time, so the group makes progress; now and then more, up to all of them.
        var members = _replicas.Values.Count(replica => !replica.IsDecommissioned);
        var allowed = Random.Next(10) == 0 ? members : (members - 1) / 2;
        if (live.Count == 0 || down >= allowed)
        {
            return;
        }

        var victim = Random.Next(5) < 2 && CurrentLeader() is { } leader ? leader : Pick(live);
        victim.Crash();
        _faults.Crashes++;
        var incarnation = victim.Incarnation;
        _events.After(Random.Next(20, 1_500), () =>
        {
            if (victim.Incarnation == incarnation && !victim.IsDecommissioned)
            {
                StartReplica(victim);
            }
        });
    }

    /// <summary>Freezes a replica's process (the leader, often) for longer than an election may take: it wakes up to a changed world.</summary>
    private void PauseOne()
    {
        var live = Live();
        if (live.Count == 0 || !Settings.Pauses)
        {
            return;
        }

        var victim = Random.Next(2) == 0 && CurrentLeader() is { } leader ? leader : Pick(live);
        victim.PausedUntil = Math.Max(victim.PausedUntil, Now + Random.Next(50, 1_500));
        _faults.Pauses++;
        Trace.Add(Now, "pause", victim.Id, (ulong)victim.PausedUntil);
    }

    /// <summary>Splits the replicas in two groups that cannot reach each other; often the leader alone on one side.</summary>
    private void PartitionSymmetric()
    {
        var members = Members();
        var shuffled = members.OrderBy(_ => Random.Next()).ToList();
        var side = Random.Next(3) == 0 && CurrentLeader() is { } leader
            ? [leader.Id]
            : shuffled.Take(Random.Next(1, Math.Max(2, members.Count / 2 + 1))).ToList();
        _network.Partition(side, members);
        _faults.Partitions++;
        Trace.Add(Now, "partition", 0, (ulong)side.Count, side.Aggregate(0UL, (bits, id) => bits | (1UL << (int)Math.Min(id, 63))));
    }

    /// <summary>Cuts links in one direction only: A still reaches B, B no longer reaches A. Sometimes the leader can send but not hear.</summary>
    private void PartitionAsymmetric()
    {
        var members = Members();
        if (members.Count < 2)
        {
            return;
        }

        if (Random.Next(3) == 0 && CurrentLeader() is { } leader)
        {
            foreach (var other in members.Where(id => id != leader.Id))
            {
                _network.Cut(other, leader.Id);
            }

            Trace.Add(Now, "deafen", leader.Id);
        }
        else
        {
            for (var i = Random.Next(1, 4); i > 0; i--)
            {
                var from = Pick(members);
                var to = Pick(members);
                _network.Cut(from, to);
                Trace.Add(Now, "cut", from, to);
            }
        }

        _faults.Partitions++;
    }

    /// <summary>One membership change at a time: add a learner, promote a caught-up learner, demote or remove a voter (keeping three), remove a learner.</summary>
    private void ChangeMembership()
    {
        if (_membershipChange is { } pending && Now < pending.Deadline)
        {
            return;
        }

        _membershipChange = null;
        if (CurrentLeader() is not { } leader)
        {
            return;
        }

        var status = leader.Raft.Status;
        var conf = status.ConfState;
        if (conf.VotersOutgoing.Count > 0)
        {
            return;
        }

        var choices = new List<ConfChange>();
        foreach (var learner in conf.Learners)
        {
            if (status.Progress.TryGetValue(learner, out var progress) && progress.Match >= status.HardState.Commit)
            {
                choices.Add(new ConfChange(ConfChangeType.AddVoter, learner));
            }
        }

        if (conf.Voters.Count > MinVoters)
        {
            choices.Add(new ConfChange(ConfChangeType.RemoveNode, Pick(conf.Voters)));
            choices.Add(new ConfChange(ConfChangeType.AddLearner, Pick(conf.Voters)));
        }

        if (conf.Voters.Count + conf.Learners.Count < MaxMembers)
        {
            choices.Add(new ConfChange(ConfChangeType.AddLearner, _nextReplicaId));
        }

        if (conf.Learners.Count > 0 && Random.Next(4) == 0)
        {
            choices.Add(new ConfChange(ConfChangeType.RemoveNode, Pick(conf.Learners)));
        }

        if (choices.Count == 0)
        {
            return;
        }

        var change = Pick(choices);
        var result = leader.Raft.ProposeConfChange(change);
        Trace.Add(Now, "propose-conf", leader.Id, ((ulong)change.Type << 32) | change.NodeId, result.Index, result.Term);
        if (result.Accepted)
        {
            _membershipChange = (change, Now + 3_000);
            if (change.Type == ConfChangeType.AddLearner && change.NodeId == _nextReplicaId)
            {
                // A replica added later starts empty and learns its membership from the leader.
                AddReplica(_nextReplicaId++, initialMembers: null);
            }
        }

        AfterInput(leader);
    }

    /// <summary>Called whenever any replica applies a membership change; the first time means it is committed.</summary>
    public void MembershipApplied(SimulatedReplica replica, ConfChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (_membershipChange is { } pending && pending.Change.Type == change.Type && pending.Change.NodeId == change.NodeId)
        {
            _membershipChange = null;
            _faults.MembershipChanges++;
        }

        if (change.Type == ConfChangeType.RemoveNode && _replicas.TryGetValue(change.NodeId, out var removed) && !removed.IsDecommissioned)
        {
            // The removed replica may never hear of its removal; its operator shuts it down once it is committed.
            _events.After(Random.Next(0, 500), () =>
            {
                if (!removed.IsDecommissioned)
                {
                    Trace.Add(Now, "decommission", removed.Id);
                    removed.Decommission();
                }
            });
        }
    }

    private void TransferLeadership()
    {
        if (CurrentLeader() is not { } leader)
        {
            return;
        }

        var voters = leader.Raft.Status.ConfState.Voters.Where(id => id != leader.Id).ToList();
        if (voters.Count == 0)
        {
            return;
        }

        var transferee = Pick(voters);
        Trace.Add(Now, "transfer", leader.Id, transferee);
        leader.Raft.TransferLeadership(transferee);
        _faults.Transfers++;
        AfterInput(leader);
    }

    /// <summary>A replica starts an election out of turn.</summary>
    private void ForceElection()
    {
        var live = Live();
        if (live.Count == 0)
        {
            return;
        }

        var replica = Pick(live);
        Trace.Add(Now, "campaign", replica.Id);
        replica.Raft.Campaign();
        AfterInput(replica);
    }

    private void CompactOne()
    {
        var live = Live();
        if (live.Count == 0)
        {
            return;
        }

        var replica = Pick(live);
        replica.Compact();
        _faults.Compactions++;
        AfterInput(replica);
    }

    /// <summary>Ends the fault phase: no more faults or new client operations, every link heals, every replica comes back.</summary>
    private void Heal()
    {
        _faultsStopped = true;
        Trace.Add(Now, "heal-all", 0);
        _network.HealAll();
        _network.DropRate = 0;
        _network.DuplicateRate = 0;
        _network.SlowRate = 0;
        foreach (var replica in _replicas.Values)
        {
            replica.PausedUntil = Math.Min(replica.PausedUntil, Now);
        }

        foreach (var replica in _replicas.Values.Where(replica => !replica.IsUp && !replica.IsDecommissioned).ToList())
        {
            StartReplica(replica);
        }

        _events.After(0, CheckConvergence);
    }

    private void CheckConvergence()
    {
        if (Converged())
        {
            _convergedAt = Now;
            return;
        }

        _events.After(25, CheckConvergence);
    }

    /// <summary>A leader whose whole log is committed, and every voter and learner live and applied up to it; no client waiting.</summary>
    private bool Converged()
    {
        if (_clients.Any(client => client.Busy) || CurrentLeader() is not { } leader)
        {
            return false;
        }

        var status = leader.Raft.Status;
        var commit = status.HardState.Commit;
        if (commit != status.LastIndex || leader.Applied != commit)
        {
            return false;
        }

        return status.ConfState.Voters.Concat(status.ConfState.Learners).All(id =>
            _replicas.TryGetValue(id, out var replica)
            && replica.Node is { } node
            && node.Status.HardState.Commit == commit
            && replica.Applied == commit);
    }
}
