namespace NodeNomad.Raft;

// Linearizable reads: ReadIndex confirmed by a heartbeat round, or served under the check-quorum lease.
public sealed partial class RaftNode
{
    private readonly ReadOnlyQueue _readOnly;

    /// <summary>Reads that arrived before this leader committed an entry of its term, answered once it has.</summary>
    private readonly List<Message> _pendingReadIndexMessages = [];

    /// <summary>Whether the leader has committed an entry of its own term (so its commit index is current).</summary>
    private bool CommittedEntryInCurrentTerm => _log.TermOrZero(_log.Committed) == _term;

    private void LeaderReadIndex(Message m)
    {
        // A group of one voter: nobody else can have committed anything.
        if (_voters.Count == 1 && _voters.Contains(_id))
        {
            RespondToReadIndex(m, _log.Committed);
            return;
        }

        // A new leader's commit index may lag what its predecessor committed until one entry of its own term
        // commits; answering earlier could miss a completed write.
        if (!CommittedEntryInCurrentTerm)
        {
            _pendingReadIndexMessages.Add(m);
            return;
        }

        ConfirmReadIndex(m);
    }

    private void ConfirmReadIndex(Message m)
    {
        if (_config.ReadOnly == ReadOnlyOption.LeaseBased)
        {
            RespondToReadIndex(m, _log.Committed);
            return;
        }

        _readOnly.Add(_log.Committed, m);
        // The leader acknowledges its own request; the heartbeat collects the rest.
        ReadAcknowledged(_id, m.Context.Span);
        BroadcastHeartbeat(m.Context);
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

    private void RespondToReadIndex(Message request, ulong index)
    {
        if (request.From == 0 || request.From == _id)
        {
            _readStates.Add(new ReadState(index, request.Context));
            return;
        }

        Send(new Message { Type = MessageType.ReadIndexResponse, To = request.From, Index = index, Context = request.Context });
    }
}
