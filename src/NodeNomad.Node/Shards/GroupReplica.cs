using System.Diagnostics;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Shards;

/// <summary>
/// This node's member of one Raft group, and the state machine it drives. A <see cref="ReplicaHost"/> loop owns
/// every group of the node: it hands each group its inputs, gathers every group's Ready into one durable save,
/// then has each group send, apply and advance (<see cref="Complete"/>). Callers on other threads only enqueue
/// (<see cref="ProposeRawAsync"/>, <see cref="ConfirmReadAsync"/>) and read published state.
/// </summary>
public abstract partial class GroupReplica
{
    private readonly Dictionary<ulong, PendingProposal> _proposals = [];
    private readonly Dictionary<long, TaskCompletionSource<bool>> _reads = [];
    private readonly List<(ulong Index, TaskCompletionSource<bool> Done)> _readsAwaitingApply = [];
    private HardState? _deferredHardState;
    private ulong _appliedTerm;
    private ulong _snapshotIndex;
    private long? _oldestUnsnapshottedAt;
    // UTC ticks since when no leader has been known; 0 while one is. Written by the loop, read by callers.
    private long _leaderlessSinceTicks;
    private long _nextReadId;
    private volatile ReplicaStatus _status = ReplicaStatus.Starting;
    private TaskCompletionSource _statusChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the group's member; the host calls <see cref="Start"/> before it takes inputs.</summary>
    protected GroupReplica(ReplicaHost host, ulong groupId)
    {
        Host = host;
        GroupId = groupId;
    }

    /// <summary>The host whose loop drives this group.</summary>
    protected ReplicaHost Host { get; }

    /// <summary>The group's id (0: the meta group; shard i: group i + 1).</summary>
    public ulong GroupId { get; }

    /// <summary>The group's Raft state machine; only the host's loop touches it.</summary>
    internal RaftNode Raft { get; private set; } = null!;

    /// <summary>Index of the last entry applied to the state machine. Loop-owned.</summary>
    protected ulong Applied { get; private set; }

    /// <summary>The group's Raft state as of the loop's last turn.</summary>
    public ReplicaStatus Status => _status;

    /// <summary>Whether this replica leads its group.</summary>
    public bool IsLeader => _status.Role == RaftRole.Leader;

    /// <summary>The index of the latest snapshot.</summary>
    public long SnapshotIndex => (long)Volatile.Read(ref _snapshotIndex);

    /// <summary>Why the node's replicas stopped (its log failed), or null while they run.</summary>
    public Exception? Failure => Host.Failure;

    /// <summary>Whether the node finished recovering.</summary>
    public bool Recovered => Host.Recovered;

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

    /// <summary>The state machine as snapshot bytes (called on the loop, which alone changes it).</summary>
    protected abstract byte[] SerializeState();

    /// <summary>Replaces the state machine by the snapshot's.</summary>
    protected abstract void RestoreState(Snapshot snapshot);

    /// <summary>Called on the loop after a turn in which this group applied entries or installed a snapshot.</summary>
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
        }

        Raft = new RaftNode(config(Applied), new RaftBootstrap(recovered?.HardState ?? HardState.Empty, recovered?.Snapshot, recovered?.Entries ?? [], initialMembers));
    }

    /// <summary>
    /// Proposes the entry <paramref name="encode"/> makes (given the leader's clock in Unix milliseconds) and
    /// returns what applying it returned, once it is committed and applied.
    /// </summary>
    public async Task<object?> ProposeRawAsync(Func<long, byte[]> encode, CancellationToken cancellationToken)
    {
        Host.ThrowIfUnavailable();
        await WaitForLeaderAsync(cancellationToken);
        if (!IsLeader)
        {
            throw NotLeaderException.Naming(Host.NodeName(_status.LeaderReplica));
        }

        var proposal = new ProposalInput(this, encode, null);
        Host.Enqueue(proposal);
        return await Host.WaitAsync(proposal.Done.Task, "The write was not committed in time: no quorum answered. It may still take effect.", cancellationToken);
    }

    /// <summary>Proposes a membership change of this group; completes once it is applied.</summary>
    public async Task ProposeConfChangeAsync(ConfChange change, CancellationToken cancellationToken)
    {
        Host.ThrowIfUnavailable();
        await WaitForLeaderAsync(cancellationToken);
        if (!IsLeader)
        {
            throw NotLeaderException.Naming(Host.NodeName(_status.LeaderReplica));
        }

        var proposal = new ProposalInput(this, null, change);
        Host.Enqueue(proposal);
        await Host.WaitAsync(proposal.Done.Task, "The membership change was not committed in time.", cancellationToken);
    }

    /// <summary>Completes once a ReadIndex round confirmed the leader and this replica applied up to the confirmed index.</summary>
    public async Task ConfirmReadAsync(CancellationToken cancellationToken)
    {
        Host.ThrowIfUnavailable();
        await WaitForLeaderAsync(cancellationToken);
        var input = new ReadInput(this);
        Host.Enqueue(input);
        await Host.WaitAsync(input.Done.Task, "The read could not be confirmed by a quorum in time.", cancellationToken);
    }

    /// <summary>Handles one input the host routed to this group. Loop only.</summary>
    internal void Handle(GroupInput input)
    {
        switch (input)
        {
            case MessageInput received:
                Raft.Step(received.Message);
                break;
            case ProposalInput proposal:
                Propose(proposal);
                break;
            case ReadInput read:
                var id = ++_nextReadId;
                _reads[id] = read.Done;
                Raft.ReadIndex(ReadContext(id));
                break;
            case UnreachableInput unreachable:
                Raft.ReportUnreachable(unreachable.ReplicaId);
                break;
            case SnapshotStatusInput snapshot:
                Raft.ReportSnapshot(snapshot.ReplicaId, snapshot.Succeeded);
                break;
        }
    }

    private void Propose(ProposalInput proposal)
    {
        ProposeResult taken;
        if (proposal.Change is { } change)
        {
            taken = Raft.ProposeConfChange(change);
        }
        else
        {
            taken = Raft.Propose(proposal.Encode!(Host.NextTimestamp()));
        }

        if (!taken.Accepted)
        {
            proposal.Done.TrySetException(NotLeaderException.Naming(Host.NodeName(_status.LeaderReplica)));
            return;
        }

        _proposals[taken.Index] = new PendingProposal(taken.Term, proposal.Done, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// What this group must make durable for <paramref name="ready"/>, or null when nothing must be: a Ready that
    /// only moves the commit index needs no fsync (a restarted replica learns its commit again from the leader), so
    /// it rides along with the next write.
    /// </summary>
    internal GroupWrite? DurableWrite(Ready ready, long persistedSoFar)
    {
        if (ready.Entries.Count > 0)
        {
            _oldestUnsnapshottedAt ??= persistedSoFar;
        }

        if (ready.Entries.Count == 0 && ready.Snapshot is null && (ready.HardState is null || !ready.MustSync))
        {
            _deferredHardState = ready.HardState ?? _deferredHardState;
            return null;
        }

        return new GroupWrite(GroupId, ready.HardState ?? _deferredHardState, ready.Snapshot, ready.Entries);
    }

    /// <summary>The write of <see cref="DurableWrite"/> is durable.</summary>
    internal void Persisted() => _deferredHardState = null;

    /// <summary>
    /// Whether this replica may send the Ready's messages before its own write is durable: a leader may (Raft
    /// thesis §10.2.1). Its appends carry entries it is persisting under a term and vote already durable, and
    /// followers' acknowledgements are handled by the loop only after this turn's save completed, so nothing is
    /// counted committed on the strength of the leader's copy before that copy is on disk.
    /// </summary>
    internal bool SendsBeforePersisting => Raft.Role == RaftRole.Leader;

    /// <summary>Sends the Ready's messages. Loop only.</summary>
    internal void SendMessages(Ready ready)
    {
        foreach (var message in ready.Messages)
        {
            Host.Send(GroupId, message);
        }
    }

    /// <summary>After the Ready is durable: send (unless already sent), install, apply, answer reads, advance. Loop only.</summary>
    internal void Complete(Ready ready, bool sent)
    {
        if (!sent)
        {
            SendMessages(ready);
        }

        var changed = false;
        if (ready.Snapshot is { } snapshot)
        {
            RestoreState(snapshot);
            Applied = snapshot.Metadata.Index;
            _appliedTerm = snapshot.Metadata.Term;
            Volatile.Write(ref _snapshotIndex, snapshot.Metadata.Index);
            Host.SnapshotInstalled(GroupId, snapshot);
            changed = true;
        }

        changed |= Apply(ready.CommittedEntries);
        foreach (var state in ready.ReadStates)
        {
            if (state.Context.Length == 2 * sizeof(long)
                && BitConverter.ToUInt64(state.Context.Span) == Host.SelfReplicaId
                && _reads.Remove(BitConverter.ToInt64(state.Context.Span[sizeof(long)..]), out var done))
            {
                _readsAwaitingApply.Add((state.Index, done));
            }
        }

        Raft.Advance(ready);
        AnswerReads();
        PublishStatus();
        if (changed)
        {
            AfterApply();
        }
    }

    /// <summary>A read's context: unique across the group (the leader answers duplicate contexts once), so it names this replica.</summary>
    private byte[] ReadContext(long id)
    {
        var context = new byte[2 * sizeof(long)];
        BitConverter.TryWriteBytes(context, Host.SelfReplicaId);
        BitConverter.TryWriteBytes(context.AsSpan(sizeof(long)), id);
        return context;
    }

    private bool Apply(IReadOnlyList<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return false;
        }

        var answers = new List<(PendingProposal Proposal, object? Result, bool Committed)>();
        BeginApply();
        try
        {
            foreach (var entry in entries)
            {
                if (entry.Index <= Applied)
                {
                    continue;
                }

                object? result = null;
                var isCommand = false;
                if (entry.Type == EntryType.ConfChange)
                {
                    Raft.ApplyConfChange(ConfChange.Decode(entry.Data.Span));
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
            if (committed)
            {
                proposal.Done.TrySetResult(result);
            }
            else
            {
                proposal.Done.TrySetException(new ShardUnavailableException("Leadership changed before the write committed; it did not take effect. Retry it."));
            }
        }

        return true;
    }

    private void AnswerReads()
    {
        for (var i = _readsAwaitingApply.Count - 1; i >= 0; i--)
        {
            if (_readsAwaitingApply[i].Index <= Applied)
            {
                _readsAwaitingApply[i].Done.TrySetResult(true);
                _readsAwaitingApply.RemoveAt(i);
            }
        }
    }

    /// <summary>Publishes the group's Raft state for readers on other threads. Loop only.</summary>
    internal void PublishStatus()
    {
        var status = Raft.Status;
        var leaderReplica = status.SoftState.Leader;
        var leader = leaderReplica == 0 ? null : Host.NodeName(leaderReplica);
        var voters = status.ConfState.Voters.Select(v => Host.NodeName(v) ?? v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var learners = status.ConfState.Learners.Select(v => Host.NodeName(v) ?? v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var previous = _status;
        if (leader is null)
        {
            if (Volatile.Read(ref _leaderlessSinceTicks) == 0)
            {
                Volatile.Write(ref _leaderlessSinceTicks, Host.Clock.GetUtcNow().UtcTicks);
            }
        }
        else
        {
            Volatile.Write(ref _leaderlessSinceTicks, 0);
        }

        _status = new ReplicaStatus(status.SoftState.Role, status.HardState.Term, leader, status.HardState.Commit, Applied, status.LastIndex, voters)
        {
            LeaderReplica = leaderReplica,
            Learners = learners,
        };
        if (previous.LeaderReplica != leaderReplica || previous.Term != status.HardState.Term || previous.Role != status.SoftState.Role)
        {
            Host.LeaderChanged(GroupId, leader, status.HardState.Term, _status.RoleName);
            if (previous.Term != status.HardState.Term)
            {
                // A read not yet confirmed when the term moved will never be: its request died with the old leader.
                foreach (var read in _reads.Values)
                {
                    read.TrySetException(new ShardUnavailableException("Leadership changed before the read was confirmed; retry it."));
                }

                _reads.Clear();
            }

            Interlocked.Exchange(ref _statusChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>
    /// Takes a snapshot when enough entries were applied since the last one — or when the group's oldest entry not
    /// covered by a snapshot lies more than <paramref name="pinLimit"/> entries (of every group) behind the log's
    /// head. Groups share the log, so a quiet group that never reached the threshold would otherwise keep every
    /// later segment on disk. Loop only.
    /// </summary>
    internal async Task MaybeSnapshotAsync(IRaftLog log, int threshold, long persistedSoFar, long pinLimit)
    {
        var pinning = _oldestUnsnapshottedAt is { } since && persistedSoFar - since >= pinLimit && Applied > _snapshotIndex;
        if (Applied - _snapshotIndex < (ulong)threshold && !pinning)
        {
            return;
        }

        var snapshot = new Snapshot(new SnapshotMetadata(Applied, _appliedTerm, Raft.Status.ConfState), SerializeState());
        try
        {
            await log.CompactAsync(GroupId, snapshot);
        }
#pragma warning disable CA1031 // A failed snapshot loses nothing: the log still holds every entry. Try again later.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Host.SnapshotFailed(GroupId, e, Applied);
            _snapshotIndex = Applied;
            return;
        }

        Raft.Compact(snapshot);
        Volatile.Write(ref _snapshotIndex, Applied);
        // Entries after the snapshot (appended, not yet applied) still pin the log; they count from now.
        _oldestUnsnapshottedAt = Raft.Status.LastIndex > Applied ? persistedSoFar : null;
        Host.SnapshotTaken(GroupId, Applied, snapshot.Data.Length);
    }

    /// <summary>Waits, up to the request timeout, until some replica is known to lead.</summary>
    internal async Task WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        var arrival = Host.Clock.GetUtcNow();
        var deadline = arrival.AddMilliseconds(Host.RequestTimeoutMs);
        while (_status.LeaderId is null)
        {
            var changed = _statusChanged.Task;
            if (_status.LeaderId is not null)
            {
                return;
            }

            var now = Host.Clock.GetUtcNow();
            if (deadline <= now || Host.Failure is not null)
            {
                throw new ShardUnavailableException("No leader is known: an election is in progress, or this node cannot reach a quorum of the shard's replicas.");
            }

            // Elections finish within a few timeouts: a group without a leader for longer has lost its majority, and
            // waiting out the whole request timeout would only hold the caller, who may retry (Retry-After). Every
            // request still waits one election timeout, for a leader that is being elected or heard from right now.
            var since = Volatile.Read(ref _leaderlessSinceTicks);
            var giveUp = since == 0
                ? deadline
                : Max(new DateTimeOffset(since, TimeSpan.Zero) + Host.LeaderlessPatience, arrival + Host.ElectionTimeout);
            if (giveUp <= now)
            {
                throw new ShardUnavailableException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"No leader for {(now - new DateTimeOffset(since, TimeSpan.Zero)).TotalSeconds:F1} s: a majority of the shard's replicas is unreachable from this node."));
            }

            try
            {
                await changed.WaitAsync(Min(deadline, giveUp) - now, Host.Clock, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>Fails every waiting proposal and read. Loop only (or after it stopped).</summary>
    internal void FailPending(Exception reason)
    {
        foreach (var proposal in _proposals.Values)
        {
            proposal.Done.TrySetException(reason);
        }

        _proposals.Clear();
        foreach (var read in _reads.Values.Concat(_readsAwaitingApply.Select(r => r.Done)))
        {
            read.TrySetException(reason);
        }

        _reads.Clear();
        _readsAwaitingApply.Clear();
    }

    private sealed record PendingProposal(ulong Term, TaskCompletionSource<object?> Done, long StartedAt);
}
