namespace NodeNomad.Raft;

// Log replication: the leader's handler, the follower's handler, Appends and heartbeats, and commitment.
public sealed partial class RaftNode
{
    private bool CanAcceptProposals() =>
        _role == RaftRole.Leader && _leadTransferee == 0 && _progress.ContainsKey(_id);

    /// <summary>
    /// Appends entries at the end of the leader's log in its term. A leader only ever appends to its own log,
    /// never overwrites or deletes (§5.3, leader append-only): everything it holds may already be committed.
    /// </summary>
    private ulong AppendEntries(List<Entry> entries)
    {
        var last = _log.LastIndex;
        var stamped = new List<Entry>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            stamped.Add(entries[i] with { Index = last + 1 + (ulong)i, Term = _term });
        }

        // The leader's own acknowledgement waits until the host has made the entries durable (see Advance).
        return _log.Append(stamped);
    }

    /// <summary>The host persisted the leader's entries: they now count towards the quorum.</summary>
    private void AcknowledgeOwnAppends()
    {
        if (_progress.TryGetValue(_id, out var own) && own.MaybeUpdate(_log.Stabled) && MaybeCommit())
        {
            ReleasePendingReadIndexMessages();
            BroadcastAppend();
        }
    }

    /// <summary>Commits the highest index a quorum of voters holds, if it is of the current term (Figure 8).</summary>
    private bool MaybeCommit()
    {
        var index = Quorum.CommittedIndex(_voters, id => _progress.TryGetValue(id, out var p) ? p.Match : 0);
        return _log.MaybeCommit(index, _term);
    }

    private void BroadcastAppend()
    {
        foreach (var id in _progress.Keys)
        {
            if (id != _id)
            {
                SendAppend(id);
            }
        }
    }

    private void SendAppend(ulong to) => MaybeSendAppend(to, sendIfEmpty: true);

    /// <summary>
    /// Sends the follower the entries from its Next on (bounded by MaxBytesPerAppend, and by the inflight window)
    /// anchored at (Next - 1, its term) for the consistency check, or a snapshot when the anchor was compacted.
    /// </summary>
    private bool MaybeSendAppend(ulong to, bool sendIfEmpty)
    {
        var progress = _progress[to];
        if (progress.IsPaused)
        {
            return false;
        }

        var prevIndex = progress.Next - 1;
        if (!_log.TryTerm(prevIndex, out var prevTerm))
        {
            return MaybeSendSnapshot(to, progress);
        }

        // With a full window only an empty Append goes out: its answer frees the window if all were lost.
        var entries = progress.State != ProgressState.Replicate || !progress.Inflights.Full
            ? _log.Slice(progress.Next, _log.LastIndex, _config.MaxBytesPerAppend)
            : [];
        if (entries.Count == 0 && !sendIfEmpty)
        {
            return false;
        }

        Send(new Message
        {
            Type = MessageType.Append,
            To = to,
            Index = prevIndex,
            LogTerm = prevTerm,
            Entries = entries,
            Commit = _log.Committed,
        });
        progress.SentEntries(entries.Count);
        progress.SentCommit(_log.Committed);
        return true;
    }

    private bool MaybeSendSnapshot(ulong to, Progress progress)
    {
        // A snapshot is large: only for a follower that answered recently.
        if (!progress.RecentActive || _log.Snapshot is not { } snapshot)
        {
            return false;
        }

        progress.BecomeSnapshot(snapshot.Metadata.Index);
        Send(new Message { Type = MessageType.Snapshot, To = to, Snapshot = snapshot });
        return true;
    }

    private void SendHeartbeat(ulong to, ReadOnlyMemory<byte> context)
    {
        var progress = _progress[to];
        // Never commit past what the follower is known to hold: its entries above Match may differ from ours.
        var commit = Math.Min(progress.Match, _log.Committed);
        Send(new Message { Type = MessageType.Heartbeat, To = to, Commit = commit, Context = context });
        progress.SentCommit(commit);
    }

    private void BroadcastHeartbeat(ReadOnlyMemory<byte> context)
    {
        foreach (var id in _progress.Keys)
        {
            if (id != _id)
            {
                SendHeartbeat(id, context);
            }
        }
    }

    private void StepLeader(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Beat:
                BroadcastHeartbeat(_config.ReadOnly == ReadOnlyOption.LeaseBased ? LeaseContext(_ticks) : _readOnly.LastContext);
                return;
            case MessageType.CheckQuorum:
                if (!QuorumActive())
                {
                    // Cut off from a majority: step down rather than serve (lease) reads and take writes that can
                    // never commit. Followers elect a new leader once their own leases run out.
                    BecomeFollower(_term, 0);
                }

                foreach (var (id, progress) in _progress)
                {
                    if (id != _id)
                    {
                        progress.RecentActive = false;
                    }
                }

                return;
            case MessageType.Propose:
                StepProposal(m);
                return;
            case MessageType.ReadIndex:
                LeaderReadIndex(m);
                return;
            default:
                break;
        }

        if (!_progress.TryGetValue(m.From, out var pr))
        {
            return;
        }

        switch (m.Type)
        {
            case MessageType.AppendResponse:
                HandleAppendResponse(m, pr);
                break;
            case MessageType.HeartbeatResponse:
                pr.RecentActive = true;
                pr.Paused = false;
                if (pr.Match < _log.LastIndex || pr.State == ProgressState.Probe)
                {
                    SendAppend(m.From);
                }

                HandleReadAcknowledgement(m);
                HandleLeaseAcknowledgement(m, pr);
                break;
            case MessageType.SnapshotStatus:
                if (pr.State != ProgressState.Snapshot)
                {
                    break;
                }

                if (m.Reject)
                {
                    // Probe from Match, not from the snapshot that never arrived.
                    pr.BecomeProbe();
                    pr.Next = pr.Match + 1;
                }
                else
                {
                    pr.BecomeProbe();
                }

                // Wait for the follower's answer (or the next heartbeat) before sending again.
                pr.Paused = true;
                break;
            case MessageType.Unreachable:
                // Optimistic Appends were probably lost: find out where the follower really is.
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }

                break;
            case MessageType.TransferLeader:
                StartTransfer(m.From, pr);
                break;
            default:
                break;
        }
    }

    private void StepProposal(Message m)
    {
        if (m.Entries.Count == 0 || !CanAcceptProposals())
        {
            return;
        }

        var entries = new List<Entry>(m.Entries.Count);
        foreach (var entry in m.Entries)
        {
            if (entry.Type == EntryType.ConfChange)
            {
                ConfChange? change;
                try
                {
                    change = ConfChangeCodec.Decode(entry.Data.Span);
                }
                catch (FormatException)
                {
                    change = null;
                }

                if (change is null || !CanAcceptConfChange(change))
                {
                    // Keep the batch's shape but neutralise the refused change, as etcd does.
                    entries.Add(new Entry(0, 0, EntryType.Normal, ReadOnlyMemory<byte>.Empty));
                    continue;
                }

                _pendingConfIndex = _log.LastIndex + (ulong)entries.Count + 1;
            }

            entries.Add(entry);
        }

        AppendEntries(entries);
        BroadcastAppend();
    }

    private void HandleAppendResponse(Message m, Progress pr)
    {
        pr.RecentActive = true;
        if (m.Reject)
        {
            // The follower's hint is the largest index whose term is at most the one we asked about; with its term,
            // we skip every index where our term is larger still (they cannot match either).
            var nextProbe = m.RejectHint;
            if (m.LogTerm > 0)
            {
                nextProbe = _log.FindConflictByTerm(m.RejectHint, m.LogTerm).Index;
            }

            if (pr.MaybeDecrTo(m.Index, nextProbe))
            {
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }

                SendAppend(m.From);
            }

            return;
        }

        if (!pr.MaybeUpdate(m.Index) && !(pr.Match == m.Index && pr.State == ProgressState.Probe))
        {
            return;
        }

        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match + 1 >= _log.FirstIndex:
                // The snapshot (or enough of the log) arrived: resume from the log.
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.Inflights.FreeLE(m.Index);
                break;
            default:
                break;
        }

        if (MaybeCommit())
        {
            ReleasePendingReadIndexMessages();
            BroadcastAppend();
        }
        else if (pr.CanBumpCommit(_log.Committed))
        {
            SendAppend(m.From);
        }

        while (MaybeSendAppend(m.From, sendIfEmpty: false))
        {
        }

        if (m.From == _leadTransferee && pr.Match == _log.LastIndex)
        {
            SendTimeoutNow(m.From);
        }
    }

    private bool QuorumActive()
    {
        var active = new Dictionary<ulong, bool>();
        foreach (var id in _voters)
        {
            active[id] = id == _id || (_progress.TryGetValue(id, out var p) && p.RecentActive);
        }

        return Quorum.Tally(_voters, active) == VoteOutcome.Won;
    }

    private void StepFollower(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Propose:
                if (_lead != 0)
                {
                    Send(m with { To = _lead, From = _id });
                }

                break;
            case MessageType.Append:
                _electionElapsed = 0;
                _lead = m.From;
                HandleAppend(m);
                break;
            case MessageType.Heartbeat:
                _electionElapsed = 0;
                _lead = m.From;
                HandleHeartbeat(m);
                break;
            case MessageType.Snapshot:
                _electionElapsed = 0;
                _lead = m.From;
                HandleSnapshot(m);
                break;
            case MessageType.TransferLeader:
                if (_lead != 0)
                {
                    Send(m with { To = _lead });
                }

                break;
            case MessageType.TimeoutNow:
                // The leader asked: no pre-vote (we are not rejoining after a partition), and the transfer marker
                // lets the votes through other replicas' leases.
                Hup(CampaignKind.Transfer);
                break;
            case MessageType.ReadIndex:
                if (_lead != 0)
                {
                    Send(m with { To = _lead, From = _id });
                }
                else
                {
                    DropRead(m);
                }

                break;
            case MessageType.ReadIndexResponse:
                // The leader's stamp, not this replica's time: the leader is the one that vouches for the read.
                _readStates.Add(new ReadState(m.Index, m.Context, m.Timestamp));
                break;
            default:
                break;
        }
    }

    private void HandleAppend(Message m)
    {
        if (m.Index < _log.Committed)
        {
            // Everything up to our commit index is already settled; tell the leader how far we are.
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = _log.Committed });
            return;
        }

        if (_log.TryAppend(m.Index, m.LogTerm, m.Commit, m.Entries, out var lastNewIndex))
        {
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = lastNewIndex });
            return;
        }

        var (hintIndex, hintTerm) = _log.FindConflictByTerm(Math.Min(m.Index, _log.LastIndex), m.LogTerm);
        Send(new Message
        {
            Type = MessageType.AppendResponse,
            To = m.From,
            Index = m.Index,
            Reject = true,
            RejectHint = hintIndex,
            LogTerm = hintTerm,
        });
    }

    private void HandleHeartbeat(Message m)
    {
        _log.CommitTo(m.Commit);
        Send(new Message { Type = MessageType.HeartbeatResponse, To = m.From, Context = m.Context });
    }

    private void HandleSnapshot(Message m)
    {
        if (m.Snapshot is { } snapshot && Restore(snapshot))
        {
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = _log.LastIndex });
        }
        else
        {
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = _log.Committed });
        }
    }

    /// <summary>Installs the leader's snapshot; false when it brings nothing new (and only the commit index moved).</summary>
    private bool Restore(Snapshot snapshot)
    {
        var metadata = snapshot.Metadata;
        if (metadata.Index <= _log.Committed || _role != RaftRole.Follower)
        {
            return false;
        }

        // Unlike etcd, a snapshot whose membership lacks this replica is installed too: a replica added after the
        // leader's last snapshot is not in it, and refusing would make leader and follower resend it forever. A
        // snapshot is committed state, so installing it is safe; the entries after it carry the change that added
        // this replica, and until the host applies that change this replica simply cannot campaign.
        var members = metadata.ConfState;
        if (_log.MatchTerm(metadata.Index, metadata.Term))
        {
            // Our log already holds the snapshot's last entry, hence (log matching) everything before it.
            _log.CommitTo(metadata.Index);
            return false;
        }

        _log.Restore(snapshot);
        RestoreMembership(members);
        return true;
    }
}
