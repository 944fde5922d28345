namespace NodeNomad.Raft;

/// <summary>
/// One replica of one Raft group, as a pure single-threaded state machine in the style of etcd's raft:
/// no clock (time is <see cref="Tick"/>), no IO (the host does what <see cref="Ready"/> asks), no tasks, and
/// randomness only from <see cref="RaftConfig.Random"/>. Not thread-safe on purpose: one loop owns it.
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>Creates the replica from what its storage recovered (or from its initial members, when new).</summary>
    public RaftNode(RaftConfig config, RaftBootstrap bootstrap)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(bootstrap);
        throw new NotImplementedException();
    }

    /// <summary>Advances logical time by one tick: elections and heartbeats are driven from here.</summary>
    public void Tick() => throw new NotImplementedException();

    /// <summary>Starts an election now (pre-vote first when enabled).</summary>
    public void Campaign() => throw new NotImplementedException();

    /// <summary>Proposes a command; dropped unless this replica leads and no transfer is in progress.</summary>
    public ProposeResult Propose(ReadOnlyMemory<byte> data) => throw new NotImplementedException();

    /// <summary>Proposes a membership change; dropped unless leading with no other change pending and an entry of the current term committed.</summary>
    public ProposeResult ProposeConfChange(ConfChange change) => throw new NotImplementedException();

    /// <summary>Applies a committed membership change (the host calls this when it applies the entry) and returns the new membership.</summary>
    public ConfState ApplyConfChange(ConfChange change) => throw new NotImplementedException();

    /// <summary>Feeds a message received from another replica (or a local one such as <see cref="MessageType.Hup"/>).</summary>
    public void Step(Message message) => throw new NotImplementedException();

    /// <summary>Requests a linearizable read; a <see cref="ReadState"/> with the same context appears in a later Ready (never, if leadership is lost: the caller times out and retries).</summary>
    public void ReadIndex(ReadOnlyMemory<byte> context) => throw new NotImplementedException();

    /// <summary>Asks the leader to hand leadership to <paramref name="transferee"/> (TimeoutNow once it has caught up).</summary>
    public void TransferLeadership(ulong transferee) => throw new NotImplementedException();

    /// <summary>Whether there is anything for the host to do.</summary>
    public bool HasReady() => throw new NotImplementedException();

    /// <summary>What the host should do now; call <see cref="Advance"/> after doing it.</summary>
    public Ready Ready() => throw new NotImplementedException();

    /// <summary>Tells the replica the host has done what <paramref name="ready"/> asked.</summary>
    public void Advance(Ready ready) => throw new NotImplementedException();

    /// <summary>
    /// The host took <paramref name="snapshot"/> of its state machine at an applied index: entries up to it
    /// are dropped from memory, and followers that need them get the snapshot instead.
    /// </summary>
    public void Compact(Snapshot snapshot) => throw new NotImplementedException();

    /// <summary>The transport could not reach <paramref name="id"/>: replication to it falls back to probing.</summary>
    public void ReportUnreachable(ulong id) => throw new NotImplementedException();

    /// <summary>A snapshot sent to <paramref name="id"/> arrived (or failed to).</summary>
    public void ReportSnapshot(ulong id, bool succeeded) => throw new NotImplementedException();

    /// <summary>The replica's current state.</summary>
    public RaftStatus Status => throw new NotImplementedException();
}
