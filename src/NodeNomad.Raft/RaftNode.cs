namespace NodeNomad.Raft;

/// <summary>
/// One replica of one Raft group, as a pure single-threaded state machine in the style of etcd's raft:
/// no clock (time is <see cref="Tick"/>), no IO (the host does what <see cref="Ready"/> asks), no tasks, and
/// randomness only from <see cref="RaftConfig.Random"/>. Not thread-safe on purpose: one loop owns it.
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>Marks the votes of a leadership transfer, so that leases (check-quorum) do not block them.</summary>
    private static readonly byte[] CampaignTransferContext = "NodeNomad.Raft.CampaignTransfer"u8.ToArray();

    private readonly RaftConfig _config;
    private readonly ulong _id;
    private readonly RaftLog _log;
    private readonly List<Message> _messages = [];
    private readonly List<ReadState> _readStates = [];
    private readonly List<ReadOnlyMemory<byte>> _droppedReads = [];

    private ulong _term;
    private ulong _vote;
    private ulong _lead;
    private RaftRole _role;

    private SoftState _previousSoftState;
    private HardState _previousHardState;

    /// <summary>Creates the replica from what its storage recovered (or from its initial members, when new).</summary>
    /// <remarks>
    /// Membership starts from the recovered snapshot's <see cref="SnapshotMetadata.ConfState"/>, else from
    /// <see cref="RaftBootstrap.InitialMembers"/>. Membership changes in recovered entries up to
    /// <see cref="RaftConfig.Applied"/> are re-applied here, because the host will not see them again; those after
    /// it come back as <see cref="Ready.CommittedEntries"/> and the host applies them as usual. (Re-applying a
    /// one-at-a-time change is idempotent, so a host that also re-applies them does no harm.)
    /// </remarks>
    /// <exception cref="ArgumentException">The configuration is invalid, or the recovered state is inconsistent.</exception>
    public RaftNode(RaftConfig config, RaftBootstrap bootstrap)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(bootstrap);
        Validate(config);

        _config = config;
        _id = config.Id;
        _log = RaftLog.Recover(bootstrap.Snapshot, bootstrap.Entries, bootstrap.HardState.Commit, config.Applied);
        _readOnly = new ReadOnlyQueue();

        var membership = bootstrap.Snapshot?.Metadata.ConfState ?? bootstrap.InitialMembers ?? ConfState.Empty;
        RestoreMembership(membership);
        for (var index = _log.FirstIndex; index <= _log.Applied; index++)
        {
            var entry = _log.EntryAt(index);
            if (entry.Type == EntryType.ConfChange)
            {
                ChangeMembership(ConfChangeCodec.Decode(entry.Data.Span));
            }
        }

        _term = bootstrap.HardState.Term;
        _vote = bootstrap.HardState.Vote;
        if (IsBrandNew(bootstrap))
        {
            WriteInitialMembers(membership);
        }

        BecomeFollower(_term, 0);
        if (_config.ReadOnly == ReadOnlyOption.LeaseBased && !IsEmpty(bootstrap))
        {
            _restartLeaseUntilTick = (ulong)_config.ElectionTick;
        }

        _previousSoftState = SoftState;
        _previousHardState = bootstrap.HardState;
    }

    /// <summary>Whether storage recovered nothing: the replica has never run (or lost everything, and with it every promise).</summary>
    private static bool IsEmpty(RaftBootstrap bootstrap) =>
        bootstrap.HardState.IsEmpty && bootstrap.Snapshot is null && bootstrap.Entries.Count == 0;

    private static bool IsBrandNew(RaftBootstrap bootstrap) =>
        IsEmpty(bootstrap) && bootstrap.InitialMembers is { } members && members.Voters.Count + members.Learners.Count > 0;

    /// <summary>
    /// A brand-new group's log starts with one committed membership change (term 1) per initial member, written
    /// identically by every initial member (as etcd's bootstrap does). Otherwise a replica that joins later would
    /// learn the membership only from the changes made after the start: promoted to voter, it could count itself
    /// a majority. The host persists these entries with the first Ready and applies them like any other change.
    /// </summary>
    private void WriteInitialMembers(ConfState members)
    {
        var changes = members.Voters.Order().Select(id => new ConfChange(ConfChangeType.AddVoter, id))
            .Concat(members.Learners.Order().Select(id => new ConfChange(ConfChangeType.AddLearner, id)))
            .ToList();
        var entries = changes
            .Select((change, i) => new Entry((ulong)i + 1, 1, EntryType.ConfChange, ConfChangeCodec.Encode(change)))
            .ToList();
        _log.Append(entries);
        _log.CommitTo(_log.LastIndex);
        _term = 1;
    }

    /// <summary>Advances logical time by one tick: elections and heartbeats are driven from here.</summary>
    public void Tick()
    {
        _ticks++;
        _tick();
    }

    /// <summary>
    /// Gives the replica the host's wall-clock time in Unix milliseconds; the host calls it on every turn of its loop,
    /// before stepping what arrived. The replica keeps the largest time it was given, so its time never goes back
    /// when the host's clock does. A leader stamps each read it answers with this time as it was when the read
    /// request reached it (<see cref="ReadState.Timestamp"/>). Nothing else depends on it: elections, heartbeats and
    /// leases run on <see cref="Tick"/>.
    /// </summary>
    public void ObserveTime(long unixMilliseconds) => _now = Math.Max(_now, unixMilliseconds);

    /// <summary>Starts an election now (pre-vote first when enabled).</summary>
    public void Campaign() => Step(new Message { Type = MessageType.Hup, From = _id });

    /// <summary>Proposes a command; dropped unless this replica leads and no transfer is in progress.</summary>
    public ProposeResult Propose(ReadOnlyMemory<byte> data)
    {
        if (!CanAcceptProposals())
        {
            return ProposeResult.Dropped;
        }

        var index = AppendEntries([new Entry(0, 0, EntryType.Normal, data)]);
        BroadcastAppend();
        return new ProposeResult(true, index, _term);
    }

    /// <summary>Proposes a membership change; dropped unless leading with no other change pending and an entry of the current term committed.</summary>
    /// <remarks>
    /// Membership changes one replica at a time, with learners, rather than joint consensus: any majority of the old
    /// voters and any majority of the new ones intersect when they differ by one voter, so no interval exists in which
    /// two leaders could be elected; it is simpler than joint consensus and is the proven form (the Raft thesis §4.3,
    /// etcd). A replica is first added as a learner, catches up without counting for quorum (so adding a slow replica
    /// never stalls commits), is promoted, and only then is an old voter removed. Two guards make it safe: at most one
    /// change is uncommitted or unapplied at a time, and a new leader accepts none until it has committed an entry of
    /// its own term (the single-server-change bug Diego Ongaro described on raft-dev in 2015).
    /// </remarks>
    public ProposeResult ProposeConfChange(ConfChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (!CanAcceptProposals() || !CanAcceptConfChange(change))
        {
            return ProposeResult.Dropped;
        }

        var index = AppendEntries([new Entry(0, 0, EntryType.ConfChange, ConfChangeCodec.Encode(change))]);
        _pendingConfIndex = index;
        BroadcastAppend();
        return new ProposeResult(true, index, _term);
    }

    /// <summary>Applies a committed membership change (the host calls this when it applies the entry) and returns the new membership.</summary>
    public ConfState ApplyConfChange(ConfChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        ChangeMembership(change);
        AfterMembershipChange();
        return ConfState;
    }

    /// <summary>Feeds a message received from another replica (or a local one such as <see cref="MessageType.Hup"/>).</summary>
    public void Step(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        StepMessage(message);
    }

    /// <summary>
    /// Requests a linearizable read: a <see cref="ReadState"/> with the same context appears in a later Ready, or the
    /// context appears in <see cref="Ready.DroppedReads"/> when this replica drops the request. On a follower the
    /// request is forwarded to the leader and not tracked: if the leader is lost before answering, no Ready says so
    /// and the host fails the caller itself (on a leader change, or a timeout); the caller retries.
    /// </summary>
    public void ReadIndex(ReadOnlyMemory<byte> context) =>
        Step(new Message { Type = MessageType.ReadIndex, From = _id, Context = context });

    /// <summary>Asks the leader to hand leadership to <paramref name="transferee"/> (TimeoutNow once it has caught up).</summary>
    public void TransferLeadership(ulong transferee) =>
        Step(new Message { Type = MessageType.TransferLeader, From = transferee });

    /// <summary>Whether there is anything for the host to do (a read's heartbeat round that was due is queued now).</summary>
    public bool HasReady()
    {
        SendDueReadHeartbeat();
        return SoftState != _previousSoftState
        || HardState != _previousHardState
        || _log.HasUnstableEntries
        || _log.PendingSnapshot is not null
        || _messages.Count > 0
        || _readStates.Count > 0
        || _droppedReads.Count > 0
        || _log.HasNextCommittedEntries;
    }

    /// <summary>What the host should do now; call <see cref="Advance"/> after doing it.</summary>
    public Ready Ready()
    {
        SendDueReadHeartbeat();
        var softState = SoftState;
        var hardState = HardState;
        var entries = _log.UnstableEntries;
        var committed = _log.NextCommittedEntries(_config.MaxBytesPerAppend);
        var ready = new Ready(
            softState == _previousSoftState ? null : softState,
            hardState == _previousHardState ? null : hardState,
            [.. _readStates],
            [.. _droppedReads],
            entries,
            _log.PendingSnapshot,
            committed,
            [.. _messages],
            MustSync: entries.Count > 0
                || hardState.Term != _previousHardState.Term
                || hardState.Vote != _previousHardState.Vote
                || _log.PendingSnapshot is not null);

        _previousSoftState = softState;
        _previousHardState = hardState;
        _readStates.Clear();
        _droppedReads.Clear();
        _messages.Clear();
        if (committed.Count > 0)
        {
            _log.MarkApplying(committed[^1].Index);
        }

        return ready;
    }

    /// <summary>Tells the replica the host has done what <paramref name="ready"/> asked.</summary>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (ready.Snapshot is { } snapshot)
        {
            _log.SnapshotApplied(snapshot.Metadata.Index);
        }

        if (ready.Entries.Count > 0)
        {
            var last = ready.Entries[^1];
            _log.StableTo(last.Index, last.Term);
        }

        if (ready.CommittedEntries.Count > 0)
        {
            _log.AppliedTo(ready.CommittedEntries[^1].Index);
        }

        if (_role == RaftRole.Leader)
        {
            AcknowledgeOwnAppends();
        }
    }

    /// <summary>
    /// The host took <paramref name="snapshot"/> of its state machine at an applied index: entries up to it
    /// are dropped from memory, and followers that need them get the snapshot instead.
    /// </summary>
    /// <exception cref="ArgumentException">The snapshot is beyond what was handed out to apply, or its term does not match the log.</exception>
    public void Compact(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var index = snapshot.Metadata.Index;
        if (index <= _log.SnapshotIndex)
        {
            return;
        }

        if (index > _log.Applying || index > _log.Stabled)
        {
            throw new ArgumentException($"Cannot compact to {index}: only entries up to {Math.Min(_log.Applying, _log.Stabled)} were applied.", nameof(snapshot));
        }

        if (!_log.MatchTerm(index, snapshot.Metadata.Term))
        {
            throw new ArgumentException($"The snapshot's term {snapshot.Metadata.Term} differs from the log's term {_log.TermOrZero(index)} at {index}.", nameof(snapshot));
        }

        _log.Compact(snapshot);
    }

    /// <summary>The transport could not reach <paramref name="id"/>: replication to it falls back to probing.</summary>
    public void ReportUnreachable(ulong id) => Step(new Message { Type = MessageType.Unreachable, From = id });

    /// <summary>A snapshot sent to <paramref name="id"/> arrived (or failed to).</summary>
    public void ReportSnapshot(ulong id, bool succeeded) =>
        Step(new Message { Type = MessageType.SnapshotStatus, From = id, Reject = !succeeded });

    /// <summary>The replica's current role: cheaper than <see cref="Status"/> when that is all a caller needs.</summary>
    public RaftRole Role => _role;

    /// <summary>The replica's current state.</summary>
    public RaftStatus Status => new(
        _id,
        HardState,
        SoftState,
        _log.Applied,
        _log.LastIndex,
        ConfState,
        _role == RaftRole.Leader
            ? new SortedDictionary<ulong, PeerProgress>(_progress.ToDictionary(pair => pair.Key, pair => pair.Value.ToPeerProgress()))
            : new SortedDictionary<ulong, PeerProgress>(),
        _leadTransferee);

    /// <summary>The in-memory log, for invariant checks in tests.</summary>
    internal RaftLog Log => _log;

    private SoftState SoftState => new(_lead, _role);

    private HardState HardState => new(_term, _vote, _log.Committed);

    private static void Validate(RaftConfig config)
    {
        if (config.Id == 0)
        {
            throw new ArgumentException("The replica id must not be 0.", nameof(config));
        }

        if (config.HeartbeatTick <= 0)
        {
            throw new ArgumentException("HeartbeatTick must be positive.", nameof(config));
        }

        if (config.ElectionTick <= config.HeartbeatTick)
        {
            throw new ArgumentException("ElectionTick must be greater than HeartbeatTick.", nameof(config));
        }

        if (config.MaxInflightMessages <= 0)
        {
            throw new ArgumentException("MaxInflightMessages must be positive.", nameof(config));
        }

        if (config.MaxBytesPerAppend <= 0)
        {
            throw new ArgumentException("MaxBytesPerAppend must be positive.", nameof(config));
        }

        if (config.ReadOnly == ReadOnlyOption.LeaseBased && !config.CheckQuorum)
        {
            throw new ArgumentException("Lease-based reads are only safe with CheckQuorum: without it a deposed leader keeps answering.", nameof(config));
        }

        ArgumentNullException.ThrowIfNull(config.Random);
    }

    /// <summary>Queues a message to send after the next Ready is persisted, stamping sender and (for most kinds) term.</summary>
    private void Send(Message message)
    {
        if (message.To == _id)
        {
            throw new InvalidOperationException($"A replica never sends {message.Type} to itself.");
        }

        var stamped = message with { From = message.From == 0 ? _id : message.From };
        var carriesOwnTerm = message.Type is MessageType.Vote or MessageType.VoteResponse or MessageType.PreVote or MessageType.PreVoteResponse;
        // Proposals and reads forwarded to the leader are local requests in the leader's eyes: no term.
        if (!carriesOwnTerm && message.Type is not MessageType.Propose and not MessageType.ReadIndex)
        {
            stamped = stamped with { Term = _term };
        }

        _messages.Add(stamped);
    }
}
