namespace NodeNomad.Raft;

/// <summary>A replica's role in its group.</summary>
public enum RaftRole : byte
{
    /// <summary>Follows a leader (or waits for one).</summary>
    Follower,

    /// <summary>Asking whether it could win an election, without disturbing the term.</summary>
    PreCandidate,

    /// <summary>Campaigning in a new term.</summary>
    Candidate,

    /// <summary>Leads the group.</summary>
    Leader,
}

/// <summary>Volatile state the host may want to show: who leads, and this replica's role.</summary>
/// <param name="Leader">The leader's id, or 0 when none is known.</param>
/// <param name="Role">This replica's role.</param>
public sealed record SoftState(ulong Leader, RaftRole Role);

/// <summary>A linearizable read that may be served once the host has applied up to <paramref name="Index"/>.</summary>
/// <param name="Index">The commit index at the time the read was confirmed.</param>
/// <param name="Context">The context given to <see cref="RaftNode.ReadIndex"/>.</param>
/// <param name="Timestamp">
/// The time (Unix milliseconds) the leader vouches for the read: its <see cref="RaftNode.ObserveTime"/> time when the
/// request reached it, also when another replica serves the read. The host judges time-dependent state (such as the
/// expiry of keys) at this time rather than by its own clock, so that under clock skew a read never sees an earlier
/// time than one the same leader answered before it. 0 when the leader was given no time.
/// </param>
public sealed record ReadState(ulong Index, ReadOnlyMemory<byte> Context, long Timestamp = 0);

/// <summary>
/// What a replica asks its host to do, in this order:
/// (1) make <see cref="Entries"/>, <see cref="HardState"/> and <see cref="Snapshot"/> durable (when
/// <see cref="MustSync"/>, with an fsync) — a replica must never send a vote or an acknowledgement it could
/// forget in a crash;
/// (2) then send <see cref="Messages"/>;
/// (3) then apply <see cref="Snapshot"/> (if any) and <see cref="CommittedEntries"/> to the state machine, and
/// serve <see cref="ReadStates"/> once applied up to their index;
/// (4) then call <see cref="RaftNode.Advance"/> with this Ready.
/// Proposals may be dropped (no leader, leadership transfer in progress): the caller retries.
/// </summary>
/// <param name="SoftState">The new soft state, or null when it did not change.</param>
/// <param name="HardState">The new hard state to persist, or null when it did not change.</param>
/// <param name="ReadStates">Reads confirmed since the last Ready.</param>
/// <param name="DroppedReads">
/// Contexts of reads requested on this replica (<see cref="RaftNode.ReadIndex"/>) that it dropped since the last
/// Ready: it stopped leading before confirming them (check-quorum, its removal, a newer term), or it knew no leader
/// to forward them to. Each is reported once and never produces a <see cref="ReadState"/>, so the host fails its
/// caller at once (the caller may retry). A read forwarded to the leader is not tracked here: the host fails it when
/// <see cref="SoftState"/> shows the leader changed, or when it times out.
/// </param>
/// <param name="Entries">Entries to append to durable storage (they may overwrite a conflicting suffix).</param>
/// <param name="Snapshot">A snapshot received from the leader to persist and apply, or null.</param>
/// <param name="CommittedEntries">Entries now committed, to apply in order.</param>
/// <param name="Messages">Messages to send once the above is durable.</param>
/// <param name="MustSync">Whether step (1) needs an fsync (new entries, or a change of term or vote).</param>
public sealed record Ready(
    SoftState? SoftState,
    HardState? HardState,
    IReadOnlyList<ReadState> ReadStates,
    IReadOnlyList<ReadOnlyMemory<byte>> DroppedReads,
    IReadOnlyList<Entry> Entries,
    Snapshot? Snapshot,
    IReadOnlyList<Entry> CommittedEntries,
    IReadOnlyList<Message> Messages,
    bool MustSync);

/// <summary>How a proposal was taken.</summary>
/// <param name="Accepted">False when it was dropped (not leader, transfer in progress, a membership change already pending).</param>
/// <param name="Index">The log index the leader gave it (0 when dropped).</param>
/// <param name="Term">The term it was proposed in (0 when dropped).</param>
public readonly record struct ProposeResult(bool Accepted, ulong Index, ulong Term)
{
    /// <summary>A dropped proposal.</summary>
    public static ProposeResult Dropped => default;
}

/// <summary>How far a follower has replicated, as the leader sees it.</summary>
/// <param name="Match">Highest index known to be replicated on the follower.</param>
/// <param name="Next">Next index to send.</param>
/// <param name="IsLearner">Whether the follower is a learner.</param>
/// <param name="RecentActive">Whether it was heard from within the last election timeout.</param>
/// <param name="State">probe, replicate or snapshot.</param>
public sealed record PeerProgress(ulong Match, ulong Next, bool IsLearner, bool RecentActive, string State);

/// <summary>A replica's state for status pages and tests.</summary>
/// <param name="Id">This replica.</param>
/// <param name="HardState">Term, vote, commit.</param>
/// <param name="SoftState">Leader and role.</param>
/// <param name="Applied">Last index the host reported applied.</param>
/// <param name="LastIndex">Last index of the log.</param>
/// <param name="ConfState">Current membership.</param>
/// <param name="Progress">On a leader, each replica's progress; empty otherwise.</param>
/// <param name="LeadTransferee">A transfer target in progress, or 0.</param>
public sealed record RaftStatus(
    ulong Id,
    HardState HardState,
    SoftState SoftState,
    ulong Applied,
    ulong LastIndex,
    ConfState ConfState,
    IReadOnlyDictionary<ulong, PeerProgress> Progress,
    ulong LeadTransferee);

/// <summary>What a replica starts from: what its storage recovered, or for a brand-new group, its initial members.</summary>
/// <param name="HardState">The recovered hard state (empty for a new replica).</param>
/// <param name="Snapshot">The recovered snapshot, or null.</param>
/// <param name="Entries">The recovered entries after the snapshot.</param>
/// <param name="InitialMembers">The group's first membership, in force until a snapshot records another: used when
/// nothing or no snapshot was recovered, so the host passes the same value on every start (committed membership
/// changes after it are re-applied through <see cref="RaftNode.ApplyConfChange"/> as the host re-applies the log).
/// A replica added later to an existing group passes null and learns its membership from the leader. A brand-new
/// replica (nothing recovered) writes the initial members to its log as its first entries, committed membership
/// changes of term 1 identical on every initial member, so that replicas joining later learn them from the log;
/// the host persists and applies them like any other entries.</param>
public sealed record RaftBootstrap(HardState HardState, Snapshot? Snapshot, IReadOnlyList<Entry> Entries, ConfState? InitialMembers)
{
    /// <summary>A brand-new replica of a brand-new group of <paramref name="voters"/>.</summary>
    public static RaftBootstrap New(params ulong[] voters) => new(HardState.Empty, null, [], ConfState.OfVoters(voters));
}
