using NodeNomad.Core.Cluster;
using NodeNomad.Raft;

namespace NodeNomad.Node.Runtime;

/// <summary>Something the node core did that the shell logs, counts or reports; never needed for correctness.</summary>
public abstract record CoreEvent;

/// <summary>A group's leader, term or this replica's role changed.</summary>
/// <param name="RoleChanged">Whether this replica's own role is new (not only the leader or the term).</param>
public sealed record LeaderChanged(ulong GroupId, string? Leader, ulong Term, string Role, bool RoleChanged) : CoreEvent;

/// <summary>A group installed a snapshot its leader sent.</summary>
public sealed record SnapshotInstalled(ulong GroupId, ulong Index, long Bytes) : CoreEvent;

/// <summary>A group recovered from the log.</summary>
public sealed record GroupRecovered(ulong GroupId, ulong LastIndex, ulong SnapshotIndex) : CoreEvent;

/// <summary>The node now hosts a replica of a shard.</summary>
public sealed record ReplicaCreated(int ShardId, long Epoch, IReadOnlyList<string> Replicas, bool Founder) : CoreEvent;

/// <summary>The node deleted its replica of a shard the map no longer places here, and dropped its group from the log.</summary>
public sealed record ReplicaDropped(int ShardId, long Epoch) : CoreEvent;

/// <summary>A message came for a group this node does not host (yet); it was dropped, and Raft retransmits.</summary>
public sealed record UnknownGroup(ulong GroupId, MessageType Type, ulong From) : CoreEvent;

/// <summary>The meta group applied a new cluster map.</summary>
public sealed record MapApplied(ClusterMap Map) : CoreEvent;
