namespace NodeNomad.Raft;

// Roles, terms and elections. A role change swaps the tick and step handlers; Step itself only applies the
// rules every role shares: what a message's term means, and how votes are cast.
public sealed partial class RaftNode
{
    private Action _tick = () => { };
    private Action<Message> _step = _ => { };

    /// <summary>Ticks since the last election timeout (leader) or since hearing from the leader (follower).</summary>
    private int _electionElapsed;

    private int _heartbeatElapsed;

    /// <summary>In [ElectionTick, 2 × ElectionTick): drawn anew on every role change, so that split votes resolve.</summary>
    private int _randomizedElectionTimeout;

    /// <summary>
    /// With lease reads, the tick before which a replica restarted from durable state grants no vote or pre-vote for a
    /// later term: before its crash it may have acknowledged a heartbeat on which the leader still serves lease reads,
    /// and it has forgotten when, so it keeps that promise for an election timeout from its start.
    /// </summary>
    private ulong _restartLeaseUntilTick;

    /// <summary>Votes received in the current (pre-)campaign: true granted, false rejected. First answer counts.</summary>
    private readonly Dictionary<ulong, bool> _votes = [];

    private void BecomeFollower(ulong term, ulong lead)
    {
        Reset(term);
        _step = StepFollower;
        _tick = TickElection;
        _lead = lead;
        _role = RaftRole.Follower;
    }

    /// <summary>A pre-candidate asks whether it could win, without touching its term or vote: a replica that
    /// cannot win (partitioned away, or behind) thus never forces the group into a new term.</summary>
    private void BecomePreCandidate()
    {
        if (_role == RaftRole.Leader)
        {
            throw new InvalidOperationException("A leader cannot become a pre-candidate.");
        }

        _step = StepCandidate;
        _votes.Clear();
        _tick = TickElection;
        _lead = 0;
        _role = RaftRole.PreCandidate;
    }

    private void BecomeCandidate()
    {
        if (_role == RaftRole.Leader)
        {
            throw new InvalidOperationException("A leader cannot become a candidate.");
        }

        Reset(_term + 1);
        _step = StepCandidate;
        _tick = TickElection;
        _vote = _id;
        _role = RaftRole.Candidate;
    }

    private void BecomeLeader()
    {
        if (_role == RaftRole.Follower)
        {
            throw new InvalidOperationException("A follower cannot become leader without an election.");
        }

        Reset(_term);
        _step = StepLeader;
        _tick = TickHeartbeat;
        _lead = _id;
        _role = RaftRole.Leader;

        if (_progress.TryGetValue(_id, out var own))
        {
            // The leader's own log trivially matches itself; it acknowledges its entries once they are durable.
            own.BecomeReplicate();
            own.RecentActive = true;
        }

        // A new leader holds no lease until its own heartbeats are acknowledged, and no TimeoutNow of an earlier
        // leadership of this replica holds it back.
        foreach (var progress in _progress.Values)
        {
            progress.LeaseTick = 0;
        }

        _leaseResumesAtTick = 0;

        // Changes from earlier terms may still be unapplied; until the host has applied everything up to here,
        // no new change may be proposed.
        _pendingConfIndex = _log.LastIndex;

        // §5.4.2 / §8: a leader commits entries of earlier terms only by committing one of its own; this empty
        // entry lets it do so at once (and learn the commit index for reads).
        AppendEntries([new Entry(0, 0, EntryType.Normal, ReadOnlyMemory<byte>.Empty)]);
    }

    /// <summary>Enters <paramref name="term"/> (forgetting the vote when the term changes) and clears per-role state.</summary>
    private void Reset(ulong term)
    {
        if (_term != term)
        {
            _term = term;
            _vote = 0;
        }

        _lead = 0;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = _config.ElectionTick + _config.Random.Next(_config.ElectionTick);
        _leadTransferee = 0;
        _votes.Clear();
        foreach (var (id, progress) in _progress.ToList())
        {
            var match = id == _id ? _log.Stabled : 0;
            _progress[id] = new Progress(match, _log.LastIndex + 1, progress.IsLearner, _config.MaxInflightMessages);
        }

        _pendingConfIndex = 0;
        DropPendingReads();
    }

    private void TickElection()
    {
        _electionElapsed++;
        if (Promotable && _electionElapsed >= _randomizedElectionTimeout)
        {
            _electionElapsed = 0;
            StepMessage(new Message { Type = MessageType.Hup, From = _id });
        }
    }

    private void TickHeartbeat()
    {
        _heartbeatElapsed++;
        _electionElapsed++;

        if (_electionElapsed >= _config.ElectionTick)
        {
            _electionElapsed = 0;
            if (_config.CheckQuorum)
            {
                StepMessage(new Message { Type = MessageType.CheckQuorum, From = _id });
            }

            // A transfer that has not finished within an election timeout is abandoned: proposals resume.
            if (_role == RaftRole.Leader && _leadTransferee != 0)
            {
                _leadTransferee = 0;
            }
        }

        if (_role != RaftRole.Leader)
        {
            return;
        }

        if (_heartbeatElapsed >= _config.HeartbeatTick)
        {
            _heartbeatElapsed = 0;
            StepMessage(new Message { Type = MessageType.Beat, From = _id });
        }
    }

    /// <summary>Whether this replica may become leader: a voter, not waiting to apply a received snapshot.</summary>
    private bool Promotable => _voters.Contains(_id) && _log.PendingSnapshot is null;

    private enum CampaignKind
    {
        PreElection,
        Election,
        Transfer,
    }

    private void Hup(CampaignKind kind)
    {
        if (_role == RaftRole.Leader || !Promotable)
        {
            return;
        }

        // A committed but unapplied membership change may remove this replica or change the quorum; campaigning
        // under the old membership could count the wrong voters.
        if (HasUnappliedMembershipChange())
        {
            return;
        }

        CampaignNow(kind);
    }

    private void CampaignNow(CampaignKind kind)
    {
        ulong term;
        MessageType request;
        if (kind == CampaignKind.PreElection)
        {
            BecomePreCandidate();
            request = MessageType.PreVote;
            // Pre-votes ask about the term this replica would campaign in, without entering it.
            term = _term + 1;
        }
        else
        {
            BecomeCandidate();
            request = MessageType.Vote;
            term = _term;
        }

        if (Poll(_id, granted: true) == VoteOutcome.Won)
        {
            // A group of one voter: this replica's own vote is a majority.
            if (kind == CampaignKind.PreElection)
            {
                CampaignNow(CampaignKind.Election);
            }
            else
            {
                BecomeLeader();
            }

            return;
        }

        var context = kind == CampaignKind.Transfer ? CampaignTransferContext : ReadOnlyMemory<byte>.Empty;
        foreach (var voter in _voters)
        {
            if (voter == _id)
            {
                continue;
            }

            Send(new Message
            {
                Type = request,
                To = voter,
                Term = term,
                Index = _log.LastIndex,
                LogTerm = _log.LastTerm,
                Context = context,
            });
        }
    }

    private VoteOutcome Poll(ulong from, bool granted)
    {
        _votes.TryAdd(from, granted);
        return Quorum.Tally(_voters, _votes);
    }

    /// <summary>The rules every role shares: message terms, then votes; the rest goes to the role's handler.</summary>
    private void StepMessage(Message m)
    {
        if (m.Term > _term && m.Term != 0)
        {
            if (m.Type is MessageType.Vote or MessageType.PreVote)
            {
                // The lease: a replica that heard from a leader within the election timeout ignores campaigns, so a
                // replica that was partitioned away (or removed) cannot depose a healthy leader. A transfer's
                // campaign was asked for by the leader itself and is let through.
                var isTransfer = m.Context.Span.SequenceEqual(CampaignTransferContext);
                var inLease = _config.CheckQuorum
                    && ((_lead != 0 && _electionElapsed < _config.ElectionTick) || _ticks < _restartLeaseUntilTick);
                if (!isTransfer && inLease)
                {
                    return;
                }
            }

            if (m.Type == MessageType.PreVote)
            {
                // Never change term for a pre-vote: the asker has not entered that term either.
            }
            else if (m.Type == MessageType.PreVoteResponse && !m.Reject)
            {
                // A granted pre-vote carries the term we asked about; we enter it only once a majority grants.
            }
            else
            {
                var lead = m.Type is MessageType.Append or MessageType.Heartbeat or MessageType.Snapshot ? m.From : 0;
                BecomeFollower(m.Term, lead);
            }
        }
        else if (m.Term < _term && m.Term != 0)
        {
            if (m.Type is MessageType.Heartbeat or MessageType.Append)
            {
                // A leader of an older term is talking: answer with our term so that it steps down (paper §5.1, a
                // stale request is rejected with the current term). With check-quorum or pre-vote our higher term
                // may never reach it through votes (they are ignored under lease); without either, a replica whose
                // membership lags may campaign only towards replicas since removed, and this answer is then the
                // only way its term reaches the leader that must bring it up to date.
                Send(new Message { Type = MessageType.AppendResponse, To = m.From });
            }
            else if (m.Type == MessageType.PreVote)
            {
                // Rejecting (rather than ignoring) lets a pre-candidate that lags in term learn ours.
                Send(new Message { Type = MessageType.PreVoteResponse, To = m.From, Term = _term, Reject = true });
            }

            return;
        }

        switch (m.Type)
        {
            case MessageType.Hup:
                Hup(_config.PreVote ? CampaignKind.PreElection : CampaignKind.Election);
                break;
            case MessageType.Vote or MessageType.PreVote:
                HandleVoteRequest(m);
                break;
            default:
                _step(m);
                break;
        }
    }

    private void HandleVoteRequest(Message m)
    {
        var response = m.Type == MessageType.Vote ? MessageType.VoteResponse : MessageType.PreVoteResponse;
        // One vote per term: a repeat of the vote already cast, or no vote and no leader known in this term;
        // a pre-vote for a later term commits us to nothing.
        var canVote = _vote == m.From
            || (_vote == 0 && _lead == 0)
            || (m.Type == MessageType.PreVote && m.Term > _term);

        // A learner answers too: it may have been promoted without knowing yet, and the candidate counts only the
        // voters of its own membership, so a vote from a replica it does not consider a voter is never counted.
        if (canVote && _log.IsUpToDate(m.Index, m.LogTerm))
        {
            // Answer with the message's term: for a pre-vote ours may be older, and the asker ignores old terms.
            Send(new Message { Type = response, To = m.From, Term = m.Term });
            if (m.Type == MessageType.Vote)
            {
                _electionElapsed = 0;
                _vote = m.From;
            }
        }
        else
        {
            Send(new Message { Type = response, To = m.From, Term = _term, Reject = true });
        }
    }

    private void StepCandidate(Message m)
    {
        // A candidate may still receive pre-vote answers from its pre-campaign in this term: only its own kind counts.
        var ownResponse = _role == RaftRole.PreCandidate ? MessageType.PreVoteResponse : MessageType.VoteResponse;
        switch (m.Type)
        {
            case MessageType.Append:
                BecomeFollower(m.Term, m.From);
                HandleAppend(m);
                break;
            case MessageType.Heartbeat:
                BecomeFollower(m.Term, m.From);
                HandleHeartbeat(m);
                break;
            case MessageType.Snapshot:
                BecomeFollower(m.Term, m.From);
                HandleSnapshot(m);
                break;
            case var type when type == ownResponse:
                switch (Poll(m.From, !m.Reject))
                {
                    case VoteOutcome.Won when _role == RaftRole.PreCandidate:
                        CampaignNow(CampaignKind.Election);
                        break;
                    case VoteOutcome.Won:
                        BecomeLeader();
                        BroadcastAppend();
                        break;
                    case VoteOutcome.Lost:
                        // A rejected pre-vote carries a future term; stay in ours.
                        BecomeFollower(_term, 0);
                        break;
                    default:
                        break;
                }

                break;
            case MessageType.ReadIndex:
                DropRead(m);
                break;
            default:
                // Proposals and TimeoutNow are dropped: there is no leader to serve them.
                break;
        }
    }
}
