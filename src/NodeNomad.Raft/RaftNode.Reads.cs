namespace NodeNomad.Raft;

// Linearizable reads: ReadIndex confirmed by a heartbeat round, or served under the check-quorum lease.
public sealed partial class RaftNode
{
    private readonly ReadOnlyQueue _readOnly;

    /// <summary>Reads that arrived before this leader committed an entry of its term, answered once it has.</summary>
    private readonly List<Message> _pendingReadIndexMessages = [];

    /// <summary>Whether reads were queued for confirmation since the last heartbeat round was sent for them.</summary>
    private bool _readHeartbeatDue;

    /// <summary>Lease reads that arrived while the lease had lapsed, answered once it holds again.</summary>
    private readonly List<Message> _readsAwaitingLease = [];

    /// <summary>The largest time the host gave (<see cref="ObserveTime"/>), in Unix milliseconds: what this replica vouches for when it leads.</summary>
    private long _now;

    /// <summary>Ticks since the replica was created: the clock of lease reads.</summary>
    private ulong _ticks;

    /// <summary>
    /// Ticks of margin a lease gives up for the drift between the leader's and the followers' tick rates and for the
    /// tick a follower may be into its count when a heartbeat arrives.
    /// </summary>
    private const ulong LeaseMarginTicks = 2;

    private static readonly byte[] LeaseContextMarker = "lease:"u8.ToArray();

    private static byte[] LeaseContext(ulong tick)
    {
        var context = new byte[LeaseContextMarker.Length + sizeof(ulong)];
        LeaseContextMarker.CopyTo(context, 0);
        BitConverter.TryWriteBytes(context.AsSpan(LeaseContextMarker.Length), tick);
        return context;
    }

    /// <summary>
    /// Whether no other leader can have been elected: a quorum of voters acknowledged heartbeats sent recently
    /// enough that each still refuses other candidates (the check-quorum lease). Counting from when the acknowledged
    /// heartbeat was sent, not from when the leader last heard anything, is what keeps an isolated leader from
    /// answering after its followers' leases ran out.
    /// </summary>
    private bool LeaseHolds()
    {
        if (_leadTransferee != 0 || _ticks < _leaseResumesAtTick)
        {
            return false;
        }

        var ticks = _voters.Select(v => v == _id ? _ticks : _progress.TryGetValue(v, out var p) ? p.LeaseTick : 0).OrderDescending().ToList();
        var quorumTick = ticks[(ticks.Count / 2)];
        return quorumTick > 0 && quorumTick + (ulong)_config.ElectionTick > _ticks + LeaseMarginTicks;
    }

    private void HandleLeaseAcknowledgement(Message m, Progress pr)
    {
        if (_config.ReadOnly != ReadOnlyOption.LeaseBased
            || m.Context.Length != LeaseContextMarker.Length + sizeof(ulong)
            || !m.Context.Span.StartsWith(LeaseContextMarker))
        {
            return;
        }

        pr.LeaseTick = Math.Max(pr.LeaseTick, BitConverter.ToUInt64(m.Context.Span[LeaseContextMarker.Length..]));
        if (_readsAwaitingLease.Count > 0 && LeaseHolds())
        {
            var waiting = _readsAwaitingLease.ToList();
            _readsAwaitingLease.Clear();
            foreach (var read in waiting)
            {
                RespondToReadIndex(read, _log.Committed);
            }
        }
    }

    /// <summary>Whether the leader has committed an entry of its own term (so its commit index is current).</summary>
    private bool CommittedEntryInCurrentTerm => _log.TermOrZero(_log.Committed) == _term;

    private void LeaderReadIndex(Message request)
    {
        // The leader vouches for the time at which it handled the request: the request carries that stamp through
        // whichever queue it waits in, and so does its answer. Requests are stamped in the order they arrive, and the
        // time never goes back, so a later read never carries an earlier time than one answered before it.
        var m = request with { Timestamp = _now };

        // A new leader's commit index may lag what its predecessor committed until one entry of its own term
        // commits; answering earlier could miss a completed write. This holds for a leader that is the only voter
        // too: left alone by a membership change, it may hold entries the old voters committed without telling it.
        if (!CommittedEntryInCurrentTerm)
        {
            _pendingReadIndexMessages.Add(m);
            return;
        }

        ConfirmReadIndex(m);
    }

    private void ConfirmReadIndex(Message m)
    {
        // The only voter, with an entry of its term committed: no other leader can exist, nothing to confirm.
        if (_voters.Count == 1 && _voters.Contains(_id))
        {
            RespondToReadIndex(m, _log.Committed);
            return;
        }

        if (_config.ReadOnly == ReadOnlyOption.LeaseBased)
        {
            if (LeaseHolds())
            {
                RespondToReadIndex(m, _log.Committed);
            }
            else
            {
                // Answered once heartbeat acknowledgements renew the lease (or never, if leadership is lost).
                _readsAwaitingLease.Add(m);
            }

            return;
        }

        _readOnly.Add(_log.Committed, m);
        // The leader acknowledges its own request; the heartbeat collects the rest. It goes when the host next asks
        // for what to send, carrying the newest pending context, so every read that arrived in between (this
        // replica's own and its followers') shares one round.
        ReadAcknowledged(_id, m.Context.Span);
        _readHeartbeatDue = true;
    }

    /// <summary>
    /// Sends the heartbeat round the reads confirmed since the last <see cref="Ready"/> wait for: one round for all
    /// of them, with the newest context, whose acknowledgement by a quorum confirms every earlier read too.
    /// </summary>
    private void SendDueReadHeartbeat()
    {
        if (!_readHeartbeatDue)
        {
            return;
        }

        _readHeartbeatDue = false;
        if (_role == RaftRole.Leader && _readOnly.Count > 0)
        {
            BroadcastHeartbeat(_readOnly.LastContext);
        }
    }

    private void ReleasePendingReadIndexMessages()
    {
        if (_pendingReadIndexMessages.Count == 0 || !CommittedEntryInCurrentTerm)
        {
            return;
        }

        var pending = _pendingReadIndexMessages.ToList();
        _pendingReadIndexMessages.Clear();
        foreach (var m in pending)
        {
            ConfirmReadIndex(m);
        }
    }

    private void HandleReadAcknowledgement(Message m)
    {
        if (_config.ReadOnly != ReadOnlyOption.Safe || m.Context.IsEmpty)
        {
            return;
        }

        ReadAcknowledged(m.From, m.Context.Span);
    }

    private void ReadAcknowledged(ulong from, ReadOnlySpan<byte> context)
    {
        var acks = _readOnly.Acknowledge(from, context);
        if (acks is null || Quorum.Tally(_voters, acks) != VoteOutcome.Won)
        {
            return;
        }

        foreach (var read in _readOnly.Release(context))
        {
            RespondToReadIndex(read.Request, read.Index);
        }
    }

    /// <summary>
    /// Drops every read this replica was confirming as leader; called on every role change. A leader that stops
    /// leading, even in the same term (check-quorum, its own removal), can no longer vouch that its commit index
    /// covers every completed write, so none of them may ever produce a ReadState: they are reported instead.
    /// </summary>
    private void DropPendingReads()
    {
        foreach (var read in _readOnly.TakeAll().Concat(_pendingReadIndexMessages).Concat(_readsAwaitingLease))
        {
            DropRead(read);
        }

        _pendingReadIndexMessages.Clear();
        _readsAwaitingLease.Clear();
    }

    /// <summary>Reports a read requested on this replica as dropped; a read forwarded by a follower is the follower's to fail.</summary>
    private void DropRead(Message request)
    {
        if (request.From == 0 || request.From == _id)
        {
            _droppedReads.Add(request.Context);
        }
    }

    private void RespondToReadIndex(Message request, ulong index)
    {
        if (request.From == 0 || request.From == _id)
        {
            _readStates.Add(new ReadState(index, request.Context, request.Timestamp));
            return;
        }

        Send(new Message
        {
            Type = MessageType.ReadIndexResponse,
            To = request.From,
            Index = index,
            Context = request.Context,
            Timestamp = request.Timestamp,
        });
    }
}
