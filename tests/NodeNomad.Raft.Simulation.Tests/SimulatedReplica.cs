using System.Buffers.Binary;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// The host of one replica: owns its <see cref="RaftNode"/>, its simulated disk and its key-value state machine,
/// and does what each Ready asks in the contract's order: persist, then send, then apply and serve reads,
/// then Advance. A crash drops everything but the disk; a restart rebuilds the state machine from the
/// persisted snapshot and re-applies the log from there.
/// </summary>
internal sealed class SimulatedReplica
{
    private readonly ClusterSimulation _cluster;
    private readonly Dictionary<ulong, List<PendingRequest>> _proposals = [];
    private readonly Dictionary<ulong, PendingRequest> _reads = [];
    private readonly List<(ulong Index, PendingRequest Read)> _confirmedReads = [];
    private readonly List<Action<SimulatedDisk>> _unpersisted = [];
    private ulong _checkedLeaderTerm;
    private ulong _snapshotIndex;

    public SimulatedReplica(ClusterSimulation cluster, ulong id, ConfState? initialMembers, int tickPeriod)
    {
        _cluster = cluster;
        Id = id;
        InitialMembers = initialMembers;
        TickPeriod = tickPeriod;
    }

    public ulong Id { get; }

    /// <summary>The group's first membership for the founding replicas; null for replicas added later.</summary>
    public ConfState? InitialMembers { get; }

    /// <summary>This replica's tick period in milliseconds: its clock runs a little fast or slow.</summary>
    public int TickPeriod { get; }

    public SimulatedDisk Disk { get; } = new();

    public RaftNode? Node { get; private set; }

    public bool IsUp => Node is not null;

    /// <summary>Removed from the group and shut down for good.</summary>
    public bool IsDecommissioned { get; private set; }

    /// <summary>Bumped at every start and crash, so that events of an earlier life are ignored.</summary>
    public int Incarnation { get; private set; }

    public ReplicaKvStore Store { get; private set; } = new();

    public ulong Applied { get; private set; }

    public ConfState Conf { get; private set; } = ConfState.Empty;

    public bool ReadyScheduled { get; set; }

    /// <summary>Until when the replica's process is frozen (a long GC pause, a stopped VM): it neither ticks nor reads its inbox.</summary>
    public long PausedUntil { get; set; }

    public bool FlushScheduled { get; set; }

    public RaftNode Raft => Node ?? throw new InvalidOperationException($"Replica {Id} is down.");

    private ulong AppliedTerm { get; set; }

    public void Start()
    {
        var snapshot = Disk.Snapshot;
        Store = snapshot is null ? new ReplicaKvStore() : ReplicaKvStore.Restore(snapshot.Data);
        Applied = snapshot?.Metadata.Index ?? 0;
        AppliedTerm = snapshot?.Metadata.Term ?? 0;
        Conf = snapshot?.Metadata.ConfState ?? InitialMembers ?? ConfState.Empty;
        _snapshotIndex = Applied;
        var settings = _cluster.Settings;
        var config = new RaftConfig
        {
            Id = Id,
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
        Incarnation++;
        _checkedLeaderTerm = 0;
        _cluster.Trace.Add(_cluster.Now, "start", Id, Disk.HardState.Term, Disk.HardState.Commit, Disk.SnapshotIndex, Disk.LastIndex);
        _cluster.Monitor.Started(Id, Disk.HardState, Node.Status);
        if (snapshot is not null)
        {
            _cluster.Monitor.Restored(Id, snapshot.Metadata, Fingerprint());
        }
    }

    /// <summary>Loses everything not on disk: the node, unpersisted Ready work, the state machine, waiting clients.</summary>
    public void Crash()
    {
        Node = null;
        Incarnation++;
        _proposals.Clear();
        _reads.Clear();
        _confirmedReads.Clear();
        _unpersisted.Clear();
        ReadyScheduled = false;
        FlushScheduled = false;
        _cluster.Trace.Add(_cluster.Now, "crash", Id, Applied);
    }

    public void Decommission()
    {
        if (IsUp)
        {
            Crash();
        }

        IsDecommissioned = true;
    }

    /// <summary>A client's write arrives: proposes it, and waits for its entry if accepted.</summary>
    public ProposeResult Propose(KvCommand command, SimulatedClient client, int attempt)
    {
        var result = Raft.Propose(command.Encode());
        _cluster.Trace.Add(_cluster.Now, "propose", Id, command.CommandId, result.Index, result.Term);
        if (result.Accepted)
        {
            _cluster.Monitor.Proposed(command.CommandId, result);
            if (!_proposals.TryGetValue(result.Index, out var waiting))
            {
                _proposals[result.Index] = waiting = [];
            }

            waiting.Add(new PendingRequest(client, attempt, result.Term, command.CommandId));
        }

        return result;
    }

    /// <summary>A client's read arrives: asks for a read index and waits for its ReadState.</summary>
    public void RequestRead(ulong context, string key, SimulatedClient client, int attempt)
    {
        _reads[context] = new PendingRequest(client, attempt, Key: key, AppliedBefore: _cluster.Monitor.MaxApplied);
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, context);
        Raft.ReadIndex(bytes);
        _cluster.Trace.Add(_cluster.Now, "read-index", Id, context);
    }

    /// <summary>Takes a snapshot at the applied index, persists it, and tells the node it may compact.</summary>
    public void Compact()
    {
        if (!IsUp || Applied <= _snapshotIndex)
        {
            return;
        }

        var snapshot = new Snapshot(new SnapshotMetadata(Applied, AppliedTerm, Conf), Store.Serialize());
        _snapshotIndex = Applied;
        Persist(disk => disk.Compact(snapshot));
        Raft.Compact(snapshot);
        _cluster.Trace.Add(_cluster.Now, "compact", Id, Applied, AppliedTerm);
    }

    /// <summary>Handles every Ready the node has, each in the contract's order.</summary>
    public void HandleReadies()
    {
        ReadyScheduled = false;
        while (Node is { } node && node.HasReady())
        {
            var ready = node.Ready();
            var incarnation = Incarnation;
            _cluster.Trace.Add(_cluster.Now, "ready", Id,
                ready.HardState is { } h ? (h.Term << 40) ^ (h.Vote << 32) ^ h.Commit : 0,
                ready.Entries.Count > 0 ? (ready.Entries[0].Index << 32) ^ ready.Entries[^1].Index : 0,
                ((ulong)ready.CommittedEntries.Count << 32) ^ (ready.Snapshot?.Metadata.Index ?? 0),
                ((ulong)ready.Messages.Count << 32) ^ (ulong)ready.ReadStates.Count);

            // (1) Make entries, hard state and snapshot durable.
            if (ready.Snapshot is { } received)
            {
                Persist(disk => disk.InstallSnapshot(received));
            }

            if (ready.Entries.Count > 0)
            {
                var entries = ready.Entries;
                Persist(disk => disk.Append(entries));
            }

            if (ready.HardState is { } hardState)
            {
                Persist(disk =>
                {
                    SafetyMonitor.Persisting(Id, disk.HardState, hardState);
                    disk.SaveHardState(hardState);
                });
            }

            if (ready.SoftState is { } soft && soft.Role == RaftRole.Leader && _cluster.Settings.Flaw != HostFlaw.AcknowledgesBeforePersisting)
            {
                var term = node.Status.HardState.Term;
                if (term != _checkedLeaderTerm)
                {
                    _checkedLeaderTerm = term;
                    _cluster.Monitor.LeaderHolds(Id, term, Disk);
                }
            }

            // (2) Send.
            foreach (var message in ready.Messages)
            {
                SafetyMonitor.Sending(Id, message, Disk);
                _cluster.Send(this, message);
            }

            // (3) Apply, and serve reads that are applied.
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
                    SafetyMonitor.ReadConfirmed(Id, state.Index, read.AppliedBefore);
                    _confirmedReads.Add((state.Index, read));
                }
            }

            ServeReads();

            // (4) Advance.
            node.Advance(ready);
            if (incarnation != Incarnation)
            {
                return;
            }

            if (removed)
            {
                _cluster.Trace.Add(_cluster.Now, "removed", Id, Applied);
                Decommission();
                return;
            }

            if (Applied - _snapshotIndex >= (ulong)_cluster.Settings.SnapshotEvery)
            {
                Compact();
            }
        }
    }

    /// <summary>Writes a flawed host buffered finally reach the disk.</summary>
    public void Flush()
    {
        FlushScheduled = false;
        foreach (var write in _unpersisted)
        {
            write(Disk);
        }

        _unpersisted.Clear();
    }

    /// <summary>Writes to disk at once, or (for a flawed host) some time later.</summary>
    private void Persist(Action<SimulatedDisk> write)
    {
        if (_cluster.Settings.Flaw != HostFlaw.AcknowledgesBeforePersisting)
        {
            write(Disk);
            return;
        }

        _unpersisted.Add(write);
        if (!FlushScheduled)
        {
            FlushScheduled = true;
            _cluster.ScheduleFlush(this);
        }
    }

    private void Restore(Snapshot snapshot)
    {
        var metadata = snapshot.Metadata;
        if (metadata.Index <= Applied)
        {
            throw new InvariantViolationException($"Replica {Id} was handed a snapshot at {metadata.Index}, but it has applied up to {Applied}: its applied index would go back.");
        }

        Store = ReplicaKvStore.Restore(snapshot.Data);
        Applied = metadata.Index;
        AppliedTerm = metadata.Term;
        Conf = metadata.ConfState;
        _snapshotIndex = metadata.Index;
        _cluster.Trace.Add(_cluster.Now, "restore", Id, metadata.Index, metadata.Term);
        _cluster.Monitor.Restored(Id, metadata, Fingerprint());

        // Proposals the snapshot jumped over: this replica can no longer tell whether they were applied.
        foreach (var index in _proposals.Keys.Where(index => index <= Applied).ToList())
        {
            foreach (var waiting in _proposals[index])
            {
                _cluster.Respond(waiting.Client, waiting.Attempt, ClientResponse.Unknown);
            }

            _proposals.Remove(index);
        }
    }

    /// <summary>Applies one committed entry; returns whether it removed this replica from the group.</summary>
    private bool Apply(RaftNode node, Entry entry)
    {
        if (entry.Index != Applied + 1)
        {
            throw new InvariantViolationException($"Replica {Id} was handed entry {entry.Index} to apply after applying {Applied}: committed entries must come in order, without gaps or repeats.");
        }

        if (_cluster.Settings.Flaw != HostFlaw.AcknowledgesBeforePersisting && entry.Index > Disk.SnapshotIndex && (Disk.EntryAt(entry.Index) is not { } persisted || !persisted.SameAs(entry)))
        {
            throw new InvariantViolationException($"Replica {Id} was handed entry ({entry.Index}, {entry.Term}) to apply, but its disk does not hold that entry (it holds up to {Disk.LastIndex}).");
        }

        var removed = false;
        var succeeded = true;
        if (entry.Type == EntryType.ConfChange)
        {
            var change = ConfChange.Decode(entry.Data.Span);
            Conf = node.ApplyConfChange(change);
            removed = change.Type == ConfChangeType.RemoveNode && change.NodeId == Id;
            _cluster.MembershipApplied(this, change);
        }
        else if (!entry.Data.IsEmpty)
        {
            succeeded = Store.Apply(KvCommand.Decode(entry.Data.Span));
        }

        Applied = entry.Index;
        AppliedTerm = entry.Term;
        _cluster.Monitor.Applied(Id, entry, Fingerprint());

        if (_proposals.Remove(entry.Index, out var waiting))
        {
            foreach (var proposal in waiting)
            {
                if (proposal.Term == entry.Term)
                {
                    _cluster.Respond(proposal.Client, proposal.Attempt, new ClientResponse(ClientResponseKind.Written, Succeeded: succeeded));
                }
                else
                {
                    // Committed entries never change, so the proposal can no longer be committed at its index.
                    _cluster.Monitor.DeclaredLost(proposal.CommandId);
                    _cluster.Respond(proposal.Client, proposal.Attempt, ClientResponse.Lost);
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
            _cluster.Respond(read.Client, read.Attempt, new ClientResponse(ClientResponseKind.Read, Value: Store.Get(read.Key)));
        }
    }

    /// <summary>
    /// The state machine and the membership, hashed: replicas at one applied index must agree on both. Only the
    /// state machine counts within the group's first entries, which record its founding members one by one: a
    /// founding replica applies them on top of the full initial membership, a replica added later from nothing.
    /// </summary>
    private ulong Fingerprint()
    {
        var hash = Store.Fingerprint();
        if (Applied <= (ulong)_cluster.Settings.Replicas)
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
