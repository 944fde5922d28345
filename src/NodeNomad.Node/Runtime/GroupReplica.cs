using System.Buffers.Binary;
using System.Globalization;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Runtime;

/// <summary>
/// This node's member of one Raft group, and the state machine it drives. The <see cref="NodeCore"/> owns every
/// group of the node and drives each through its turns: inputs in, then the Ready's durable part gathered into the
/// node's one save, then (<see cref="Complete"/>) send, install, apply, answer and advance. Everything here runs on
/// the core's turn; other threads only read the published <see cref="Status"/> and the state machine.
/// </summary>
public abstract class GroupReplica
{
    private readonly Dictionary<ulong, PendingProposal> _proposals = [];
    private readonly Dictionary<long, List<long>> _reads = [];
    private List<long> _readsToConfirm = [];
    private readonly List<ConfirmedRead> _readsAwaitingApply = [];
    private HardState? _deferredHardState;
    private bool _deferredWritten;
    private ulong _appliedTerm;
    private ulong _snapshotIndex;
    private bool _compacting;
    private long? _oldestUnsnapshottedAt;
    private long _oldestUnsnapshottedBytesAt;
    private long _bytesSinceSnapshot;
    private long _lastSnapshotBytes;
    private long _nextReadId;
    private volatile ReplicaStatus _status = ReplicaStatus.Starting;
    private TaskCompletionSource _statusChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the group's member; the core calls <see cref="Start"/> before it takes inputs.</summary>
    protected GroupReplica(ReplicaContext context, ulong groupId, ulong selfReplicaId, ulong logKey)
    {
        Context = context;
        GroupId = groupId;
        SelfReplicaId = selfReplicaId;
        LogKey = logKey;
    }

    /// <summary>What the core lends this group.</summary>
    protected ReplicaContext Context { get; }

    /// <summary>The group's id (0: the meta group; shard i: group i + 1).</summary>
    public ulong GroupId { get; }

    /// <summary>This node's replica id in the group (see <see cref="Core.Cluster.ReplicaIds.For(string, long)"/>).</summary>
    public ulong SelfReplicaId { get; }

    /// <summary>The key the node's log keeps this member's entries, hard state and snapshot under.</summary>
    public ulong LogKey { get; }

    /// <summary>The group's Raft state machine; only the core's turn touches it.</summary>
    internal RaftNode Raft { get; private set; } = null!;

    /// <summary>Index of the last entry applied to the state machine. Loop-owned.</summary>
    internal ulong Applied { get; private set; }

    /// <summary>The group's Raft state as of the core's last turn.</summary>
    public ReplicaStatus Status => _status;

    /// <summary>Completes when <see cref="Status"/> next changes its leader, term or role.</summary>
    public Task StatusChanged => _statusChanged.Task;

    /// <summary>Whether this replica leads its group.</summary>
    public bool IsLeader => _status.Role == RaftRole.Leader;

    /// <summary>The index of the latest snapshot.</summary>
    public long SnapshotIndex => (long)Volatile.Read(ref _snapshotIndex);

    /// <summary>Whether this replica applied its own removal from the group: it serves nobody from then on.</summary>
    public bool IsRemoved { get; private set; }

    /// <summary>Applies one committed command entry; returns the result handed to its proposer.</summary>
    protected abstract object? ApplyCommand(Entry entry);

    /// <summary>Called before a run of entries is applied (take the state machine's write lock here).</summary>
    protected virtual void BeginApply()
    {
    }

    /// <summary>Called after a run of entries was applied.</summary>
    protected virtual void EndApply()
    {
    }

    /// <summary>
    /// The state machine fixed as it is now (called on the turn, which alone changes it), as a writer of its snapshot
    /// that may run later, on another thread, while the group goes on applying.
    /// </summary>
    protected abstract Action<Stream> CaptureState();

    /// <summary>Replaces the state machine by the snapshot's.</summary>
    protected abstract void RestoreState(Snapshot snapshot);

    /// <summary>Called after a turn in which this group applied entries or installed a snapshot.</summary>
    protected virtual void AfterApply()
    {
    }

    /// <summary>Creates the group's Raft member from what the log recovered (or nothing, for a new replica).</summary>
    internal void Start(RecoveredGroup? recovered, ConfState? initialMembers, Func<ulong, RaftConfig> config)
    {
        if (recovered?.Snapshot is { } snapshot)
        {
            RestoreState(snapshot);
            Applied = snapshot.Metadata.Index;
            _appliedTerm = snapshot.Metadata.Term;
            _snapshotIndex = snapshot.Metadata.Index;
            _lastSnapshotBytes = snapshot.Data.Length;
        }

        Raft = new RaftNode(config(Applied), new RaftBootstrap(recovered?.HardState ?? HardState.Empty, recovered?.Snapshot, recovered?.Entries ?? [], initialMembers));
    }

    /// <summary>Takes a proposal (a command already encoded, or a membership change). Its outcome is a completion.</summary>
    internal void Propose(long ticket, byte[]? command, ConfChange? change)
    {
        if (IsRemoved)
        {
            Context.Complete(ticket, Outcome.Unavailable(RemovedReason));
            return;
        }

        if (Raft.Role != RaftRole.Leader)
        {
            Context.Complete(ticket, Outcome.NotLeaderHere(Context.Addresses.NodeName(Raft.Status.SoftState.Leader)));
            return;
        }

        var taken = change is { } c ? Raft.ProposeConfChange(c) : Raft.Propose(command ?? []);
        if (!taken.Accepted)
        {
            Context.Complete(ticket, change is null
                ? Outcome.NotLeaderHere(Context.Addresses.NodeName(Raft.Status.SoftState.Leader))
                : Outcome.Unavailable("Another membership change of the group is still in progress, or leadership is moving."));
            return;
        }

        _proposals[taken.Index] = new PendingProposal(taken.Term, ticket);
    }

    /// <summary>
    /// Takes a linearizable read: it waits for the turn's end (<see cref="ConfirmReads"/>), where every read the turn
    /// took shares one ReadIndex round, and is answered once the replica has applied up to the confirmed index.
    /// </summary>
    internal void Read(long ticket)
    {
        if (IsRemoved)
        {
            Context.Complete(ticket, Outcome.Unavailable(RemovedReason));
            return;
        }

        _readsToConfirm.Add(ticket);
    }

    /// <summary>
    /// Asks one ReadIndex round for every read this turn took, as etcd's server batches its linearizable reads: one
    /// heartbeat round (and, on a follower, one request to the leader) however many reads arrived together. Sharing
    /// it is linearizable: the index is the commit index after every input of the turn, at least what each read
    /// needed when it arrived, and no write the turn saw can have been answered before the turn's end.
    /// </summary>
    internal void ConfirmReads()
    {
        if (_readsToConfirm.Count == 0)
        {
            return;
        }

        var tickets = _readsToConfirm;
        _readsToConfirm = [];
        if (IsRemoved)
        {
            foreach (var ticket in tickets)
            {
                Context.Complete(ticket, Outcome.Unavailable(RemovedReason));
            }

            return;
        }

        var id = ++_nextReadId;
        _reads[id] = tickets;
        Raft.ReadIndex(ReadContext(id));
    }

    /// <summary>
    /// What this group must make durable for <paramref name="ready"/>, or null when nothing must be: a Ready that
    /// only moves the commit index needs no fsync (a restarted replica learns its commit again from the leader), so
    /// its hard state is deferred and rides along with the group's next write — unless it commits a membership change.
    /// </summary>
    internal GroupWrite? DurableWrite(Ready ready, long persistedSoFar, long persistedBytesSoFar)
    {
        if (ready.Entries.Count > 0)
        {
            if (_oldestUnsnapshottedAt is null)
            {
                _oldestUnsnapshottedAt = persistedSoFar;
                _oldestUnsnapshottedBytesAt = persistedBytesSoFar;
            }

            _bytesSinceSnapshot += LogBytes(ready.Entries);
        }

        // A membership change takes effect when applied, so its commit must be durable before it is: a replica that
        // applied its group's shrinking to itself, then restarted with an older commit index, would wait for votes
        // from members that are gone (found by the simulator with a single replica moved from node to node).
        var commitsMembership = (ready.HardState ?? _deferredHardState) is not null && ready.CommittedEntries.Any(e => e.Type == EntryType.ConfChange);
        if (ready.Entries.Count == 0 && ready.Snapshot is null && (ready.HardState is null || !ready.MustSync) && !commitsMembership)
        {
            _deferredHardState = ready.HardState ?? _deferredHardState;
            _deferredWritten = false;
            return null;
        }

        _deferredWritten = _deferredHardState is not null;
        return new GroupWrite(LogKey, ready.HardState ?? _deferredHardState, ready.Snapshot, ready.Entries);
    }

    /// <summary>The turn's save is durable: a deferred hard state that went out with it is no longer owed.</summary>
    internal void Persisted()
    {
        if (_deferredWritten)
        {
            _deferredHardState = null;
            _deferredWritten = false;
        }
    }

    /// <summary>
    /// Whether this replica may send the Ready's messages before its own write is durable: a leader may (Raft
    /// thesis §10.2.1). Its appends carry entries it is persisting under a term and vote already durable, and
    /// followers' acknowledgements reach the core only after this turn's save completed, so nothing is counted
    /// committed on the strength of the leader's copy before that copy is on disk. Anyone else's messages (votes,
    /// acknowledgements) promise what is on disk, so they wait for the save.
    /// </summary>
    internal bool SendsBeforePersisting => Raft.Role == RaftRole.Leader || Context.Flaw == CoreFlaw.FollowerAcksBeforeSave;

    /// <summary>Hands the Ready's messages to the core's outbox.</summary>
    internal void SendMessages(Ready ready, List<Outbound> outbox)
    {
        foreach (var message in ready.Messages)
        {
            outbox.Add(new Outbound(GroupId, message));
        }
    }

    /// <summary>Applies what is committed before the save completes: only a core switched to that flaw does this.</summary>
    internal void ApplyEarly(Ready ready) => Apply(ready.CommittedEntries);

    /// <summary>After the Ready is durable: send (unless already sent), install, apply, answer reads, advance.</summary>
    internal bool Complete(Ready ready, bool sent)
    {
        if (!sent)
        {
            SendMessages(ready, Context.Sends);
        }

        var changed = false;
        if (ready.Snapshot is { } snapshot)
        {
            RestoreState(snapshot);
            Applied = snapshot.Metadata.Index;
            _appliedTerm = snapshot.Metadata.Term;
            Volatile.Write(ref _snapshotIndex, snapshot.Metadata.Index);
            _lastSnapshotBytes = snapshot.Data.Length;
            _bytesSinceSnapshot = 0;
            Context.Events.Add(new SnapshotInstalled(GroupId, snapshot.Metadata.Index, snapshot.Data.Length));
            changed = true;
        }

        changed |= Apply(ready.CommittedEntries);
        foreach (var state in ready.ReadStates)
        {
            if (ParseReadContext(state.Context.Span) is { } id && _reads.Remove(id, out var tickets))
            {
                foreach (var ticket in tickets)
                {
                    _readsAwaitingApply.Add(new ConfirmedRead(state.Index, ticket, state.Timestamp));
                }
            }
        }

        foreach (var dropped in ready.DroppedReads)
        {
            if (ParseReadContext(dropped.Span) is { } id && _reads.Remove(id, out var tickets))
            {
                foreach (var ticket in tickets)
                {
                    Context.Complete(ticket, Outcome.Unavailable(ReadDroppedReason));
                }
            }
        }

        Raft.Advance(ready);
        AnswerReads();
        PublishStatus();
        if (changed)
        {
            AfterApply();
        }

        return changed;
    }

    /// <summary>
    /// A read's context: unique across the group (the leader answers duplicate contexts once), so it names this
    /// replica and this life of the node as well as the read.
    /// </summary>
    private byte[] ReadContext(long id)
    {
        var context = new byte[3 * sizeof(long)];
        BinaryPrimitives.WriteUInt64LittleEndian(context, SelfReplicaId);
        BinaryPrimitives.WriteInt64LittleEndian(context.AsSpan(sizeof(long)), Context.Incarnation);
        BinaryPrimitives.WriteInt64LittleEndian(context.AsSpan(2 * sizeof(long)), id);
        return context;
    }

    private long? ParseReadContext(ReadOnlySpan<byte> context) =>
        context.Length == 3 * sizeof(long)
        && BinaryPrimitives.ReadUInt64LittleEndian(context) == SelfReplicaId
        && BinaryPrimitives.ReadInt64LittleEndian(context[sizeof(long)..]) == Context.Incarnation
            ? BinaryPrimitives.ReadInt64LittleEndian(context[(2 * sizeof(long))..])
            : null;

    private bool Apply(IReadOnlyList<Entry> entries)
    {
        var answers = new List<(PendingProposal Proposal, object? Result, bool Committed)>();
        var applied = false;
        BeginApply();
        try
        {
            foreach (var entry in entries)
            {
                if (entry.Index <= Applied)
                {
                    continue;
                }

                applied = true;
                object? result = null;
                var isCommand = false;
                if (entry.Type == EntryType.ConfChange)
                {
                    var conf = Raft.ApplyConfChange(ConfChange.Decode(entry.Data.Span));
                    IsRemoved = !conf.Voters.Contains(SelfReplicaId) && !conf.Learners.Contains(SelfReplicaId);
                    isCommand = true;
                }
                else if (!entry.Data.IsEmpty)
                {
                    result = ApplyCommand(entry);
                    isCommand = true;
                }

                Applied = entry.Index;
                _appliedTerm = entry.Term;
                if (_proposals.Remove(entry.Index, out var proposal))
                {
                    // The proposal committed only if the entry at its index is the one it was given: same term.
                    answers.Add((proposal, result, proposal.Term == entry.Term && isCommand));
                }
            }
        }
        finally
        {
            EndApply();
        }

        foreach (var (proposal, result, committed) in answers)
        {
            Context.Complete(proposal.Ticket, committed
                ? Outcome.Applied(result)
                : Outcome.Unavailable(OverturnedReason));
        }

        return applied;
    }

    private void AnswerReads()
    {
        for (var i = 0; i < _readsAwaitingApply.Count; i++)
        {
            var read = _readsAwaitingApply[i];
            if (read.Index <= Applied || Context.Flaw == CoreFlaw.ReadBeforeApply)
            {
                Context.Complete(read.Ticket, Outcome.Confirmed(read.Timestamp));
                _readsAwaitingApply.RemoveAt(i--);
            }
        }
    }

    /// <summary>Publishes the group's Raft state for readers on other threads; fails reads a change of leader orphaned.</summary>
    internal void PublishStatus()
    {
        var status = Raft.Status;
        var leaderReplica = status.SoftState.Leader;
        var addresses = Context.Addresses;
        var leader = addresses.NodeName(leaderReplica);
        var previous = _status;
        var leaderlessSince = leader is not null ? 0 : previous.LeaderlessSince != 0 ? previous.LeaderlessSince : Math.Max(1, Context.Now);
        var caughtUp = status.SoftState.Role == RaftRole.Leader
            ? status.Progress.Where(p => p.Key != SelfReplicaId && p.Value.Match >= status.HardState.Commit)
                .Select(p => addresses.NodeName(p.Key) ?? Name(p.Key)).ToList()
            : [];
        _status = new ReplicaStatus(status.SoftState.Role, status.HardState.Term, leader, status.HardState.Commit, Applied, status.LastIndex,
            [.. status.ConfState.Voters.Select(v => addresses.NodeName(v) ?? Name(v))])
        {
            LeaderReplica = leaderReplica,
            Learners = [.. status.ConfState.Learners.Select(v => addresses.NodeName(v) ?? Name(v))],
            LeaderlessSince = leaderlessSince,
            CaughtUp = caughtUp,
            Followers = status.SoftState.Role == RaftRole.Leader
                ? [.. status.Progress.Where(p => p.Key != SelfReplicaId).Select(p => new FollowerProgress(addresses.NodeName(p.Key) ?? Name(p.Key), p.Value.Match, p.Value.State))]
                : [],
        };
        if (previous.LeaderReplica != leaderReplica || previous.Term != status.HardState.Term || previous.Role != status.SoftState.Role)
        {
            Context.Events.Add(new LeaderChanged(GroupId, leader, status.HardState.Term, _status.RoleName, previous.Role != status.SoftState.Role));

            // A read not yet confirmed when the leader, the term or this replica's role moved never will be: the leader
            // that was to confirm it stepped down (perhaps without a new term: check-quorum, its own removal) or
            // another took over, and neither answers a read asked of its predecessor. Its caller may retry at once.
            foreach (var ticket in _reads.Values.SelectMany(t => t))
            {
                Context.Complete(ticket, Outcome.Unavailable(ReadOverturnedReason));
            }

            _reads.Clear();
            Interlocked.Exchange(ref _statusChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private static string Name(ulong replicaId) => replicaId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A snapshot to take when enough entries were applied since the last one — or when the group's oldest entry not
    /// covered by a snapshot lies more than <paramref name="pinLimit"/> entries (of every group) behind the log's
    /// head. Groups share the log, so a quiet group that never reached the threshold would otherwise keep every
    /// later segment on disk.
    /// </summary>
    internal Compaction? DueCompaction(int threshold, long persistedSoFar, long persistedBytesSoFar, long pinLimit)
    {
        // A snapshot rewrites the whole state, so each is taken only once the log it lets go is worth that: the group's
        // own entries since the last one at least half the last one's size, or — pinned by a shared log that other
        // groups fill — the log it holds back at least that size. The disk then writes at most about twice as much
        // for snapshots as for the log, however large the state has grown.
        var pinning = _oldestUnsnapshottedAt is { } since && persistedSoFar - since >= pinLimit && Applied > _snapshotIndex
            && persistedBytesSoFar - _oldestUnsnapshottedBytesAt >= _lastSnapshotBytes;
        var due = Applied - _snapshotIndex >= (ulong)threshold && _bytesSinceSnapshot * 2 >= _lastSnapshotBytes;
        if (_compacting || (!due && !pinning))
        {
            return null;
        }

        // A leader sending a replica its snapshot keeps the entries after it: compacted, they would be gone by the time
        // the replica has installed it, and the replica would need a newer snapshot, then another — under steady
        // writes a large shard's move would never catch up. Up to a bound, so a transfer that never ends cannot grow
        // the log without limit.
        if (Applied - _snapshotIndex < (ulong)threshold * SnapshotSendHold && SendsASnapshot())
        {
            return null;
        }

        // One at a time: the shell writes the snapshot while turns go on, and this group asks for no other until then.
        _compacting = true;
        return new Compaction(GroupId, LogKey, new SnapshotMetadata(Applied, _appliedTerm, Raft.Status.ConfState), CaptureState());
    }

    /// <summary>Why a request to a replica that left its group fails.</summary>
    internal const string RemovedReason = "This replica was removed from its group.";

    /// <summary>
    /// Why a request fails that reached the node's core after the group's replica here was dropped (a move took it
    /// away between routing and the core): the group never saw it, so it may be sent to the group elsewhere.
    /// </summary>
    internal const string NotHeldReason = "This node no longer holds a replica of the shard's group; the request did not reach it.";

    /// <summary>
    /// Why a waiting request fails when the node drops the replica (the map moved it away). A read may be asked
    /// again elsewhere; a write's fate is unknown, as for any proposal the group took.
    /// </summary>
    internal const string DroppedReason = "This node no longer holds a replica of the shard: it moved.";

    /// <summary>Why a proposal fails whose index a new leader's entry took: it did not take effect, and never will.</summary>
    internal const string OverturnedReason = "Leadership changed before the write committed; it did not take effect. Retry it.";

    /// <summary>Why a read fails that the group dropped (its leader stepped down, or none is known): nothing was changed.</summary>
    internal const string ReadDroppedReason = "The read was dropped: its leader stepped down or none is known; retry it.";

    /// <summary>Why a read fails that its leader did not confirm before the leadership or the replica's role moved.</summary>
    internal const string ReadOverturnedReason = "Leadership changed before the read was confirmed; retry it.";

    /// <summary>How many snapshot thresholds of entries a leader keeps while it sends a replica a snapshot.</summary>
    internal const int SnapshotSendHold = 8;

    /// <summary>Whether this replica leads the group and is sending one of its replicas a snapshot.</summary>
    private bool SendsASnapshot() => Raft.Status.Progress.Values.Any(p => p.State == "snapshot");

    /// <summary>
    /// The shell stored the snapshot <see cref="DueCompaction"/> asked for (<paramref name="stored"/> reads its data),
    /// or failed to (null).
    /// </summary>
    internal void Compacted(SnapshotMetadata metadata, Snapshot? stored, long persistedSoFar, long persistedBytesSoFar)
    {
        _compacting = false;
        var index = metadata.Index;
        if (stored is not { } snapshot || index <= _snapshotIndex)
        {
            // The log still holds every entry; the next threshold tries again.
            _snapshotIndex = Math.Max(_snapshotIndex, index);
            return;
        }

        Raft.Compact(snapshot);
        Volatile.Write(ref _snapshotIndex, index);
        _lastSnapshotBytes = snapshot.Data.Length;
        // Entries after the snapshot (appended, not yet applied) still pin the log; they count from now.
        _oldestUnsnapshottedAt = Raft.Status.LastIndex > index ? persistedSoFar : null;
        _oldestUnsnapshottedBytesAt = persistedBytesSoFar;
        _bytesSinceSnapshot = 0;
    }

    /// <summary>About what <paramref name="entries"/> take in the log: their payloads and a frame each.</summary>
    internal static long LogBytes(IReadOnlyList<Entry> entries)
    {
        long bytes = 0;
        foreach (var entry in entries)
        {
            bytes += entry.Data.Length + EntryFrameBytes;
        }

        return bytes;
    }

    /// <summary>What an entry takes in the log beside its payload (index, term, type, length, checksum), about.</summary>
    private const int EntryFrameBytes = 32;

    /// <summary>Fails every waiting proposal and read.</summary>
    internal void FailPending(string reason)
    {
        foreach (var proposal in _proposals.Values)
        {
            Context.Complete(proposal.Ticket, Outcome.Unavailable(reason));
        }

        _proposals.Clear();
        foreach (var ticket in _reads.Values.SelectMany(t => t).Concat(_readsAwaitingApply.Select(r => r.Ticket)).Concat(_readsToConfirm))
        {
            Context.Complete(ticket, Outcome.Unavailable(reason));
        }

        _reads.Clear();
        _readsToConfirm.Clear();
        _readsAwaitingApply.Clear();
    }

    private sealed record PendingProposal(ulong Term, long Ticket);

    private sealed record ConfirmedRead(ulong Index, long Ticket, long Timestamp);
}
