using System.Buffers.Binary;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// One replica of one Raft group on a node: the meta group's (group 0, whose state machine is the shard map) or a
/// shard's (a key-value store). Its node's host loop drives it through each Ready's phases, batched with the
/// node's other replicas: <see cref="Persist"/>, then the node sends, then <see cref="Apply"/>, then
/// <see cref="Advance"/>. Its <see cref="Disk"/> survives a crash of the node; nothing else does.
/// </summary>
internal sealed class ShardedGroupReplica
{
    private readonly ShardedClusterSimulation _cluster;
    private readonly Dictionary<ulong, List<PendingRequest>> _proposals = [];
    private readonly Dictionary<ulong, PendingRequest> _reads = [];
    private readonly List<(ulong Index, PendingRequest Read)> _confirmedReads = [];
    private readonly int _foundingMembers;
    private ulong _checkedLeaderTerm;
    private ulong _snapshotIndex;

    /// <param name="cluster">The simulation.</param>
    /// <param name="host">The node it lives on.</param>
    /// <param name="group">0 for the meta group, else the shard.</param>
    /// <param name="peer">Its Raft id, unique in the cluster and never reused.</param>
    /// <param name="initialMembers">The group's founding membership for a founding replica; null for one added later.</param>
    /// <param name="foundingMembers">How many members the group was founded with (its first entries record them).</param>
    public ShardedGroupReplica(ShardedClusterSimulation cluster, ShardedSimulatedNode host, int group, ulong peer, ConfState? initialMembers, int foundingMembers)
    {
        _cluster = cluster;
        Host = host;
        Group = group;
        Peer = peer;
        InitialMembers = initialMembers;
        _foundingMembers = foundingMembers;
    }

    public ShardedSimulatedNode Host { get; }

    public int Group { get; }

    public ulong Peer { get; }

    public ConfState? InitialMembers { get; }

    public bool IsMeta => Group == 0;

    public SimulatedDisk Disk { get; } = new();

    public RaftNode? Node { get; private set; }

    public bool IsUp => Node is not null;

    /// <summary>Removed from its group and deleted from its node for good.</summary>
    public bool IsDestroyed { get; private set; }

    public ReplicaKvStore Store { get; private set; } = new();

    /// <summary>For the meta group's replicas, the shard map as applied so far.</summary>
    public ShardedMetaState? Meta { get; private set; }

    public ulong Applied { get; private set; }

    public ConfState Conf { get; private set; } = ConfState.Empty;

    /// <summary>Set once it applied its own removal: from then on it answers nobody.</summary>
    public bool AppliedOwnRemoval { get; private set; }

    public RaftNode Raft => Node ?? throw new InvalidOperationException($"Replica {Peer} of group {Group} is down.");

    public bool IsLeader => Node?.Status.SoftState.Role == RaftRole.Leader;

    private SafetyMonitor Monitor => _cluster.MonitorOf(Group);

    private ulong AppliedTerm { get; set; }

    public void Start()
    {
        var snapshot = Disk.Snapshot;
        if (IsMeta)
        {
            Meta = snapshot is null ? new ShardedMetaState(_cluster.GenesisMap) : ShardedMetaState.Restore(snapshot.Data);
        }
        else
        {
            Store = snapshot is null ? new ReplicaKvStore() : ReplicaKvStore.Restore(snapshot.Data);
        }

        Applied = snapshot?.Metadata.Index ?? 0;
        AppliedTerm = snapshot?.Metadata.Term ?? 0;
        Conf = snapshot?.Metadata.ConfState ?? InitialMembers ?? ConfState.Empty;
        _snapshotIndex = Applied;
        var settings = _cluster.Settings.Raft;
        var config = new RaftConfig
        {
            Id = Peer,
            ElectionTick = settings.ElectionTick,
            HeartbeatTick = settings.HeartbeatTick,
            PreVote = settings.PreVote,
            CheckQuorum = settings.CheckQuorum,
            ReadOnly = settings.ReadOnly,
            MaxInflightMessages = settings.MaxInflightMessages,
            MaxBytesPerAppend = settings.MaxBytesPerAppend,
            Applied = Applied,
            Random = _cluster.Random,
        };
        Node = new RaftNode(config, Disk.Bootstrap(InitialMembers));
        _checkedLeaderTerm = 0;
        AppliedOwnRemoval = false;
        _cluster.Trace.Add(_cluster.Now, "start", Peer, (ulong)Group, Disk.HardState.Term, Disk.SnapshotIndex, Disk.LastIndex);
        Monitor.Started(Peer, Disk.HardState, Node.Status);
        if (snapshot is not null)
        {
            Monitor.Restored(Peer, snapshot.Metadata, Fingerprint());
        }
    }

    /// <summary>Loses everything not on disk: the Raft node, the state machine, the requests waiting here.</summary>
    public void Crash()
    {
        Node = null;
        _proposals.Clear();
        _reads.Clear();
        _confirmedReads.Clear();
    }

    /// <summary>Deletes the replica: writes waiting for it may yet be committed by the group (unknown), reads go elsewhere.</summary>
    public void Destroy()
    {
        foreach (var waiting in _proposals.Values.SelectMany(list => list))
        {
            _cluster.Respond(waiting.Client, waiting.Attempt, ShardedAnswer.Unknown);
        }

        foreach (var read in _reads.Values.Concat(_confirmedReads.Select(confirmed => confirmed.Read)))
        {
            _cluster.Respond(read.Client, read.Attempt, ShardedAnswer.NotHosting);
        }

        Crash();
        IsDestroyed = true;
        _cluster.Trace.Add(_cluster.Now, "destroy", Peer, (ulong)Group, Applied);
    }

    /// <summary>A client's write arrives: proposes it, and waits for its entry if accepted.</summary>
    public ProposeResult Propose(KvCommand command, SimulatedClient client, int attempt)
    {
        ArgumentNullException.ThrowIfNull(command);
        var result = Raft.Propose(command.Encode());
        _cluster.Trace.Add(_cluster.Now, "propose", Peer, command.CommandId, result.Index, result.Term);
        if (result.Accepted)
        {
            Monitor.Proposed(command.CommandId, result);
            if (!_proposals.TryGetValue(result.Index, out var waiting))
            {
                _proposals[result.Index] = waiting = [];
            }

            waiting.Add(new PendingRequest(client, attempt, result.Term, command.CommandId));
        }

        return result;
    }

    /// <summary>The placement driver records a move in the shard map (this replica leads the meta group, it hopes).</summary>
    public ProposeResult ProposeMeta(ShardedMetaCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var result = Raft.Propose(command.Encode());
        _cluster.Trace.Add(_cluster.Now, "propose-meta", Peer, command.CommandId, result.Index, result.Term);
        if (result.Accepted)
        {
            Monitor.Proposed(command.CommandId, result);
        }

        return result;
    }

    /// <summary>A client's read arrives: asks for a read index and waits for its ReadState.</summary>
    public void RequestRead(ulong context, string key, SimulatedClient client, int attempt)
    {
        _reads[context] = new PendingRequest(client, attempt, Key: key, AppliedBefore: Monitor.MaxApplied);
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, context);
        Raft.ReadIndex(bytes);
        _cluster.Trace.Add(_cluster.Now, "read-index", Peer, context);
    }

    /// <summary>Takes a snapshot at the applied index, persists it, and tells the node it may compact.</summary>
    public void Compact()
    {
        if (!IsUp || Applied <= _snapshotIndex)
        {
            return;
        }

        var data = IsMeta ? Meta!.Serialize() : Store.Serialize();
        var snapshot = new Snapshot(new SnapshotMetadata(Applied, AppliedTerm, Conf), data);
        _snapshotIndex = Applied;
        Disk.Compact(snapshot);
        Raft.Compact(snapshot);
        _cluster.Trace.Add(_cluster.Now, "compact", Peer, Applied, AppliedTerm);
    }

    /// <summary>Phase (1) of a Ready: make the snapshot, the entries and the hard state durable (part of the node's one write).</summary>
    public void Persist(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (ready.Snapshot is { } received)
        {
            Disk.InstallSnapshot(received);
        }

        if (ready.Entries.Count > 0)
        {
            Disk.Append(ready.Entries);
        }

        if (ready.HardState is { } hardState)
        {
            SafetyMonitor.Persisting(Peer, Disk.HardState, hardState);
            Disk.SaveHardState(hardState);
        }

        if (ready.SoftState is { Role: RaftRole.Leader } && Node is { } node)
        {
            var term = node.Status.HardState.Term;
            if (term != _checkedLeaderTerm)
            {
                _checkedLeaderTerm = term;
                Monitor.LeaderHolds(Peer, term, Disk);
            }
        }
    }

    /// <summary>Phase (3): apply the snapshot and the committed entries, serve the reads now applied. Returns whether it applied its own removal.</summary>
    public bool Apply(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        var node = Raft;
        if (ready.Snapshot is { } snapshot)
        {
            Restore(snapshot);
        }

        var removed = false;
        foreach (var entry in ready.CommittedEntries)
        {
            removed |= Apply(node, entry);
        }

        foreach (var state in ready.ReadStates)
        {
            var context = BinaryPrimitives.ReadUInt64LittleEndian(state.Context.Span);
            if (_reads.Remove(context, out var read))
            {
                SafetyMonitor.ReadConfirmed(Peer, state.Index, read.AppliedBefore);
                _confirmedReads.Add((state.Index, read));
            }
        }

        ServeReads();
        return removed;
    }

    /// <summary>Phase (4): tell the node, then compact when enough entries were applied since the last snapshot.</summary>
    public void Advance(Ready ready)
    {
        Raft.Advance(ready);
        if (Applied - _snapshotIndex >= (ulong)_cluster.Settings.Raft.SnapshotEvery)
        {
            Compact();
        }
    }

    private void Restore(Snapshot snapshot)
    {
        var metadata = snapshot.Metadata;
        if (metadata.Index <= Applied)
        {
            throw new InvariantViolationException($"Replica {Peer} of group {Group} was handed a snapshot at {metadata.Index}, but it has applied up to {Applied}: its applied index would go back.");
        }

        if (IsMeta)
        {
            Meta = ShardedMetaState.Restore(snapshot.Data);
        }
        else
        {
            Store = ReplicaKvStore.Restore(snapshot.Data);
        }

        Applied = metadata.Index;
        AppliedTerm = metadata.Term;
        Conf = metadata.ConfState;
        _snapshotIndex = metadata.Index;
        _cluster.Trace.Add(_cluster.Now, "restore", Peer, metadata.Index, metadata.Term);
        Monitor.Restored(Peer, metadata, Fingerprint());

        // Proposals the snapshot jumped over: this replica can no longer tell whether they were applied.
        foreach (var index in _proposals.Keys.Where(index => index <= Applied).ToList())
        {
            foreach (var waiting in _proposals[index])
            {
                _cluster.Respond(waiting.Client, waiting.Attempt, ShardedAnswer.Unknown);
            }

            _proposals.Remove(index);
        }
    }

    /// <summary>Applies one committed entry; returns whether it removed this replica from its group.</summary>
    private bool Apply(RaftNode node, Entry entry)
    {
        if (entry.Index != Applied + 1)
        {
            throw new InvariantViolationException($"Replica {Peer} of group {Group} was handed entry {entry.Index} to apply after applying {Applied}: committed entries must come in order, without gaps or repeats.");
        }

        if (entry.Index > Disk.SnapshotIndex && (Disk.EntryAt(entry.Index) is not { } persisted || !persisted.SameAs(entry)))
        {
            throw new InvariantViolationException($"Replica {Peer} of group {Group} was handed entry ({entry.Index}, {entry.Term}) to apply, but its disk does not hold that entry (it holds up to {Disk.LastIndex}).");
        }

        var removed = false;
        var succeeded = true;
        string? key = null;
        if (entry.Type == EntryType.ConfChange)
        {
            var change = ConfChange.Decode(entry.Data.Span);
            Conf = node.ApplyConfChange(change);
            removed = change.Type == ConfChangeType.RemoveNode && change.NodeId == Peer;
            _cluster.MembershipApplied(this, change, entry.Index);
        }
        else if (!entry.Data.IsEmpty)
        {
            if (IsMeta)
            {
                Meta!.Apply(ShardedMetaCommand.Decode(entry.Data.Span));
            }
            else
            {
                var command = KvCommand.Decode(entry.Data.Span);
                key = command.Key;
                succeeded = Store.Apply(command);
            }
        }

        Applied = entry.Index;
        AppliedTerm = entry.Term;
        AppliedOwnRemoval |= removed;
        Monitor.Applied(Peer, entry, Fingerprint());

        if (_proposals.Remove(entry.Index, out var waiting))
        {
            foreach (var proposal in waiting)
            {
                if (proposal.Term != entry.Term)
                {
                    // Committed entries never change, so the proposal can no longer be committed at its index.
                    Monitor.DeclaredLost(proposal.CommandId);
                    _cluster.Respond(proposal.Client, proposal.Attempt, ShardedAnswer.Lost);
                }
                else if (AppliedOwnRemoval)
                {
                    // Committed, but a replica that left its shard answers nobody: the client may not rely on it.
                    _cluster.Respond(proposal.Client, proposal.Attempt, ShardedAnswer.Unknown);
                }
                else
                {
                    _cluster.Answering(this, key ?? "", entry.Index);
                    _cluster.Respond(proposal.Client, proposal.Attempt, new ShardedAnswer(ShardedAnswerKind.Written, Succeeded: succeeded));
                }
            }
        }

        return removed;
    }

    private void ServeReads()
    {
        for (var i = 0; i < _confirmedReads.Count;)
        {
            var (index, read) = _confirmedReads[i];
            if (index > Applied)
            {
                i++;
                continue;
            }

            _confirmedReads.RemoveAt(i);
            if (AppliedOwnRemoval)
            {
                _cluster.Respond(read.Client, read.Attempt, ShardedAnswer.NotHosting);
                continue;
            }

            _cluster.Answering(this, read.Key, Applied);
            _cluster.Respond(read.Client, read.Attempt, new ShardedAnswer(ShardedAnswerKind.Read, Value: Store.Get(read.Key)));
        }
    }

    /// <summary>
    /// The state machine and the membership, hashed: replicas at one applied index must agree on both. Only the
    /// state machine counts within the group's first entries, which record its founding members one by one: a
    /// founding replica applies them on top of the full initial membership, a replica added later from nothing.
    /// </summary>
    private ulong Fingerprint()
    {
        var hash = IsMeta ? Meta!.Fingerprint() : Store.Fingerprint();
        if (Applied <= (ulong)_foundingMembers)
        {
            return hash;
        }

        foreach (var voter in Conf.Voters.Order())
        {
            hash = Fnv.Add(hash, voter);
        }

        hash = Fnv.Add(hash, ulong.MaxValue);
        foreach (var learner in Conf.Learners.Order())
        {
            hash = Fnv.Add(hash, learner);
        }

        return hash;
    }
}
