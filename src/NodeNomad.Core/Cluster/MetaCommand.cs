using System.Text.Json.Serialization;

namespace NodeNomad.Core.Cluster;

/// <summary>A change to the cluster map, as the meta group's log carries it (JSON).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(BootstrapCluster), "bootstrap")]
[JsonDerivedType(typeof(RegisterNode), "register-node")]
[JsonDerivedType(typeof(StartMigration), "start-migration")]
[JsonDerivedType(typeof(AdvanceMigration), "advance-migration")]
[JsonDerivedType(typeof(CancelMigration), "cancel-migration")]
[JsonDerivedType(typeof(CompleteMigration), "complete-migration")]
[JsonDerivedType(typeof(UndoMigration), "undo-migration")]
[JsonDerivedType(typeof(DrainNode), "drain-node")]
[JsonDerivedType(typeof(UndrainNode), "undrain-node")]
[JsonDerivedType(typeof(CompleteDrain), "complete-drain")]
[JsonDerivedType(typeof(RemoveNode), "remove-node")]
[JsonDerivedType(typeof(SetRebalancerSettings), "set-rebalancer-settings")]
[JsonDerivedType(typeof(HandOverLeadership), "hand-over-leadership")]
[JsonDerivedType(typeof(CreateApiKey), "create-api-key")]
[JsonDerivedType(typeof(RevokeApiKey), "revoke-api-key")]
public abstract record MetaCommand;

/// <summary>Creates the cluster: its identity, first nodes and the shards' first placement. Ignored once the cluster exists.</summary>
/// <param name="ClusterId">The new cluster's identity.</param>
/// <param name="ReplicationFactor">Replicas per shard.</param>
/// <param name="Nodes">The first nodes.</param>
/// <param name="Shards">Every shard with its range and replicas, epoch 1.</param>
public sealed record BootstrapCluster(string ClusterId, int ReplicationFactor, IReadOnlyList<NodeRecord> Nodes, IReadOnlyList<ShardRecord> Shards) : MetaCommand;

/// <summary>Adds a node, or updates its addresses and weight (a restarted node on a new address).</summary>
/// <param name="Node">The node as it describes itself.</param>
public sealed record RegisterNode(NodeRecord Node) : MetaCommand;

/// <summary>
/// Starts moving shard <paramref name="ShardId"/>'s replica from <paramref name="Source"/> to <paramref name="Target"/>:
/// records the migration and the target as the shard's learner, bumping the epoch, so the target creates an empty
/// replica and the shard's leader adds it to the group.
/// </summary>
/// <param name="Id">The migration's id, chosen by whoever asks (unique: a repeated start is refused).</param>
/// <param name="ShardId">The shard.</param>
/// <param name="Source">A node holding a voting replica of it.</param>
/// <param name="Target">An active node holding none.</param>
/// <param name="Reason">manual, rebalance, join, drain or repair.</param>
/// <param name="RequestedBy">Who asked.</param>
/// <param name="At">When it was asked (Unix milliseconds).</param>
/// <param name="Detail">What asked for it, in words (the rebalancer's decision, the placement driver's reading of the map), recorded with its first step.</param>
public sealed record StartMigration(string Id, int ShardId, string Source, string Target, string Reason, string RequestedBy, long At, string? Detail = null) : MetaCommand
{
    /// <summary>The node whose replica is to lead the shard once the move is done (its leadership then follows), or null.</summary>
    public string? LeadershipTo { get; init; }
}

/// <summary>Records that migration <paramref name="Id"/> went from <paramref name="From"/> to <paramref name="To"/>; refused unless it is in <paramref name="From"/>, so a repeated step is harmless.</summary>
/// <param name="Id">The migration.</param>
/// <param name="From">The state it must be in.</param>
/// <param name="To">The state it enters.</param>
/// <param name="At">When.</param>
/// <param name="Detail">What the step saw.</param>
public sealed record AdvanceMigration(string Id, string From, string To, long At, string? Detail = null) : MetaCommand;

/// <summary>Asks for migration <paramref name="Id"/> to be cancelled; refused once it is swapping (it then completes).</summary>
/// <param name="Id">The migration.</param>
/// <param name="At">When.</param>
/// <param name="RequestedBy">Who asked.</param>
public sealed record CancelMigration(string Id, long At, string RequestedBy) : MetaCommand;

/// <summary>
/// Records the end of migration <paramref name="Id"/>'s swap: the target replaces the source among the shard's voters
/// and is no longer a learner, the epoch is bumped, and the migration is cleaning up (the source deletes its replica).
/// </summary>
/// <param name="Id">The migration, which must be swapping.</param>
/// <param name="At">When.</param>
public sealed record CompleteMigration(string Id, long At) : MetaCommand;

/// <summary>
/// Ends migration <paramref name="Id"/> before its swap, its learner already out of the shard's group: the map drops
/// the target as a learner (epoch bumped) and the migration ends as <paramref name="Outcome"/>.
/// </summary>
/// <param name="Id">The migration.</param>
/// <param name="Outcome">cancelled, rolled-back or failed.</param>
/// <param name="At">When.</param>
/// <param name="Error">Why, for rolled-back and failed.</param>
public sealed record UndoMigration(string Id, string Outcome, long At, string? Error = null) : MetaCommand;

/// <summary>
/// Starts draining node <paramref name="NodeId"/>: it becomes <see cref="NodeRecord.Draining"/>, placement gives it
/// nothing new, its shard leaders hand leadership on and the placement driver moves its replicas away. Refused
/// unless the node is active.
/// </summary>
/// <param name="NodeId">The node.</param>
/// <param name="At">When (Unix milliseconds).</param>
/// <param name="RequestedBy">Who asked.</param>
public sealed record DrainNode(string NodeId, long At, string RequestedBy) : MetaCommand;

/// <summary>Brings a draining or drained node back into placement (<see cref="NodeRecord.Active"/>).</summary>
/// <param name="NodeId">The node.</param>
/// <param name="At">When.</param>
/// <param name="RequestedBy">Who asked.</param>
public sealed record UndrainNode(string NodeId, long At, string RequestedBy) : MetaCommand;

/// <summary>Records that draining node <paramref name="NodeId"/> holds nothing any more (<see cref="NodeRecord.Drained"/>); refused while it holds a replica.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="At">When.</param>
public sealed record CompleteDrain(string NodeId, long At) : MetaCommand;

/// <summary>
/// Takes node <paramref name="NodeId"/> out of the cluster (<see cref="NodeRecord.Removed"/>); refused while it holds
/// a replica, or when it is the last node not removed. The meta leader then takes it out of the meta group.
/// </summary>
/// <param name="NodeId">The node.</param>
/// <param name="At">When.</param>
/// <param name="RequestedBy">Who asked.</param>
public sealed record RemoveNode(string NodeId, long At, string RequestedBy) : MetaCommand;

/// <summary>Sets the load-based rebalancer's settings, once they pass <see cref="RebalancerSettings.Problems"/>.</summary>
/// <param name="Settings">The new settings.</param>
public sealed record SetRebalancerSettings(RebalancerSettings Settings) : MetaCommand;

/// <summary>Asks the leader of a shard to hand its leadership to another voter; replaces the shard's earlier request.</summary>
/// <param name="Handover">The request.</param>
public sealed record HandOverLeadership(LeadershipHandover Handover) : MetaCommand;

/// <summary>Records a client API key (its hash, never its token); refused when its id or hash is taken.</summary>
/// <param name="Key">The key.</param>
public sealed record CreateApiKey(ApiKeyRecord Key) : MetaCommand;

/// <summary>Revokes client API key <paramref name="Id"/>: no node accepts its token once it applied this.</summary>
/// <param name="Id">The key.</param>
/// <param name="At">When (Unix milliseconds).</param>
/// <param name="RequestedBy">Who asked.</param>
public sealed record RevokeApiKey(string Id, long At, string RequestedBy) : MetaCommand;
