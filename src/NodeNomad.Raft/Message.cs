namespace NodeNomad.Raft;

/// <summary>The kinds of message replicas of a group exchange, and the local ones a host steps in.</summary>
public enum MessageType : byte
{
    /// <summary>Local: start an election (pre-vote first when enabled).</summary>
    Hup = 0,

    /// <summary>Local: the leader should send heartbeats now.</summary>
    Beat = 1,

    /// <summary>Local or forwarded: propose entries.</summary>
    Propose = 2,

    /// <summary>Leader to follower: entries to append after (LogTerm, Index), and the leader's commit.</summary>
    Append = 3,

    /// <summary>Follower to leader: the result of an Append (Index = last matching index, or a reject with a hint).</summary>
    AppendResponse = 4,

    /// <summary>Candidate to voter: vote for me in Term; my last log entry is (LogTerm, Index).</summary>
    Vote = 5,

    /// <summary>Voter to candidate.</summary>
    VoteResponse = 6,

    /// <summary>Would-be candidate to voter: would you vote for me in Term (not incremented yet)?</summary>
    PreVote = 7,

    /// <summary>Voter to would-be candidate.</summary>
    PreVoteResponse = 8,

    /// <summary>Leader to follower: install this snapshot (the transport streams it in chunks).</summary>
    Snapshot = 9,

    /// <summary>Leader to follower: I am alive; commit up to Commit (at most the follower's match).</summary>
    Heartbeat = 10,

    /// <summary>Follower to leader.</summary>
    HeartbeatResponse = 11,

    /// <summary>Local or forwarded: transfer leadership to From.</summary>
    TransferLeader = 12,

    /// <summary>Leader to transferee: campaign now, ignoring the election timeout and leases.</summary>
    TimeoutNow = 13,

    /// <summary>Local or forwarded to the leader: a linearizable read request carrying Context.</summary>
    ReadIndex = 14,

    /// <summary>Leader to the follower that forwarded a read: the index that read may be served at.</summary>
    ReadIndexResponse = 15,

    /// <summary>Local: a snapshot send to From finished (Reject = it failed).</summary>
    SnapshotStatus = 16,

    /// <summary>Local: From could not be reached.</summary>
    Unreachable = 17,

    /// <summary>Local: check that a quorum is still active (check-quorum).</summary>
    CheckQuorum = 18,
}

/// <summary>
/// A Raft message. Which fields matter depends on <see cref="Type"/>; unused ones are zero or empty.
/// Replica ids are non-zero; 0 means "none".
/// </summary>
public sealed record Message
{
    /// <summary>The message kind.</summary>
    public MessageType Type { get; init; }

    /// <summary>Sender.</summary>
    public ulong From { get; init; }

    /// <summary>Recipient.</summary>
    public ulong To { get; init; }

    /// <summary>The sender's term (0 for local messages).</summary>
    public ulong Term { get; init; }

    /// <summary>Term of the entry at <see cref="Index"/> (Append: the entry before the new ones; Vote: the candidate's last).</summary>
    public ulong LogTerm { get; init; }

    /// <summary>A log index whose meaning depends on <see cref="Type"/>.</summary>
    public ulong Index { get; init; }

    /// <summary>Entries carried (Append, Propose).</summary>
    public IReadOnlyList<Entry> Entries { get; init; } = [];

    /// <summary>The leader's commit index (Append, Heartbeat).</summary>
    public ulong Commit { get; init; }

    /// <summary>The snapshot carried (Snapshot).</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>Whether a response refuses the request.</summary>
    public bool Reject { get; init; }

    /// <summary>On a refused Append, the follower's hint of where the logs may agree.</summary>
    public ulong RejectHint { get; init; }

    /// <summary>Opaque bytes: the read request id (ReadIndex), or a campaign marker for a transfer.</summary>
    public ReadOnlyMemory<byte> Context { get; init; }

    /// <summary>ReadIndexResponse: the time (Unix milliseconds) the leader vouches for the read, see <see cref="ReadState.Timestamp"/>.</summary>
    public long Timestamp { get; init; }
}
