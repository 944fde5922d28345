namespace NodeNomad.Raft;

/// <summary>How linearizable reads are confirmed.</summary>
public enum ReadOnlyOption
{
    /// <summary>ReadIndex: the leader confirms it is still leader with a heartbeat round before answering.</summary>
    Safe,

    /// <summary>
    /// Lease: the leader answers at once, without a heartbeat round, while a quorum has acknowledged heartbeats it sent
    /// less than an election timeout (minus a two-tick margin) ago; followers refuse other candidates for that long
    /// (check-quorum, required). It relies on bounded clock drift: the replicas' ticks must run at nearly the same
    /// rate, a tick must mean the same time on every replica, and no replica may pause (GC, VM freeze) for longer than
    /// the margin. While it is on, a leader serves no lease read for an election timeout after it sent TimeoutNow (the
    /// transferee's campaign passes leases), which also assumes that TimeoutNow and the votes it starts arrive within
    /// that timeout; and a replica restarted from durable state grants no vote for an election timeout (it may have
    /// vouched for a lease it forgot). Nothing in the protocol detects a breach of these assumptions, and a breach lets
    /// a deposed leader answer a stale read. That is why it is off by default: <see cref="Safe"/> costs one heartbeat
    /// round per read batch and is correct whatever the clocks do.
    /// </summary>
    LeaseBased,
}

/// <summary>Settings of one replica of one Raft group. Time is counted in ticks; the host decides how long a tick is.</summary>
public sealed record RaftConfig
{
    /// <summary>This replica's id; never 0.</summary>
    public required ulong Id { get; init; }

    /// <summary>Ticks without hearing from a leader before a follower campaigns; the actual timeout is randomized in [ElectionTick, 2 × ElectionTick).</summary>
    public int ElectionTick { get; init; } = 10;

    /// <summary>Ticks between a leader's heartbeats; must be less than <see cref="ElectionTick"/>.</summary>
    public int HeartbeatTick { get; init; } = 1;

    /// <summary>Whether a would-be candidate first asks whether it could win (so a partitioned replica does not disrupt the group on return).</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>Whether a leader steps down when it has not heard from a quorum within an election timeout.</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>How reads are confirmed: <see cref="ReadOnlyOption.Safe"/> unless the host accepts the clock assumptions of <see cref="ReadOnlyOption.LeaseBased"/>.</summary>
    public ReadOnlyOption ReadOnly { get; init; } = ReadOnlyOption.Safe;

    /// <summary>Most Append messages in flight to one follower while it is being replicated to optimistically.</summary>
    public int MaxInflightMessages { get; init; } = 256;

    /// <summary>Most entry bytes in one Append message (at least one entry is always sent).</summary>
    public long MaxBytesPerAppend { get; init; } = 1024 * 1024;

    /// <summary>The last index the host has applied (on restart: the snapshot's index, or more if the host applied further).</summary>
    public ulong Applied { get; init; }

    /// <summary>The replica's only source of randomness (election timeouts). Seeded by the host or the simulator.</summary>
    public required Random Random { get; init; }
}
