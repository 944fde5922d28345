namespace NodeNomad.Raft;

// Leadership transfer: the leader stops taking proposals, brings the transferee up to date, then tells it to
// campaign at once (TimeoutNow). Abandoned after an election timeout (see TickHeartbeat).
public sealed partial class RaftNode
{
    private ulong _leadTransferee;

    /// <summary>
    /// The tick before which this leader serves no lease read because it sent TimeoutNow: the transferee's campaign
    /// passes the followers' leases, so acknowledged heartbeats prove nothing until an election timeout after the
    /// last TimeoutNow, even if the transfer was abandoned meanwhile. A new term (a new leadership) clears it.
    /// </summary>
    private ulong _leaseResumesAtTick;

    private void StartTransfer(ulong transferee, Progress progress)
    {
        if (progress.IsLearner || transferee == _id)
        {
            return;
        }

        if (_leadTransferee != 0)
        {
            if (_leadTransferee == transferee)
            {
                return;
            }

            _leadTransferee = 0;
        }

        // The transfer has one election timeout to finish.
        _electionElapsed = 0;
        _leadTransferee = transferee;
        if (progress.Match == _log.LastIndex)
        {
            SendTimeoutNow(transferee);
        }
        else
        {
            SendAppend(transferee);
        }
    }

    private void SendTimeoutNow(ulong to)
    {
        _leaseResumesAtTick = _ticks + (ulong)_config.ElectionTick;
        Send(new Message { Type = MessageType.TimeoutNow, To = to });
    }
}
