using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;

namespace NodeNomad.Node.Shards;

/// <summary>An input for the node core, queued by any thread for the shell's loop.</summary>
internal abstract record HostInput;

/// <summary>A heartbeat tick: every group ticks.</summary>
internal sealed record TickInput : HostInput
{
    public static readonly TickInput Instance = new();
}

/// <summary>A message from a peer.</summary>
internal sealed record InboundInput(ulong GroupId, Message Message) : HostInput
{
    /// <summary>Whether the log already staged the snapshot the message carries (or was asked to).</summary>
    public bool Staged { get; init; }
}

/// <summary>Transport feedback: a peer was unreachable (null) or a snapshot send ended.</summary>
internal sealed record FeedbackInput(ulong GroupId, ulong ReplicaId, bool? SnapshotSucceeded) : HostInput;

/// <summary>An encoded command, or a membership change, for a group.</summary>
internal sealed record ProposalInput(long Ticket, ulong GroupId, byte[]? Command, ConfChange? Change) : HostInput;

/// <summary>An operator's request that this node's replica of a group, if it leads, hand leadership to another.</summary>
internal sealed record TransferInput(ulong GroupId, ulong Transferee) : HostInput;

/// <summary>A linearizable read of a group.</summary>
internal sealed record ReadInput(long Ticket, ulong GroupId) : HostInput;

/// <summary>A compaction's snapshot data was written to <paramref name="Path"/> off the loop (or failed with <paramref name="Error"/>).</summary>
internal sealed record CompactionWrittenInput(Compaction Compaction, string Path, long Bytes, Exception? Error) : HostInput;

/// <summary>The load of every node and replica, for the rebalancer on the meta leader.</summary>
internal sealed record LoadInput(RebalancerLoad Load) : HostInput;
